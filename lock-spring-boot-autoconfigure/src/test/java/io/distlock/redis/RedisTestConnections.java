package io.distlock.redis;

import java.time.Duration;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Builds providers as an application would: its own {@link LettuceConnectionFactory}, which the provider closes. */
final class RedisTestConnections {

	private RedisTestConnections() {
	}

	/** A started connection factory to {@code 127.0.0.1:port}. */
	static LettuceConnectionFactory factory(int port) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/** A provider on a factory of its own; closing the provider destroys the factory too. */
	static RedisLockProvider provider(int port, Duration commandTimeout) {
		LettuceConnectionFactory factory = factory(port);
		return new RedisLockProvider(factory, RedisLockProvider.DEFAULT_CHANNEL, commandTimeout, RedisLockProvider.DEFAULT_TOKEN_COUNTER_TTL) {
			@Override
			public void close() {
				super.close();
				factory.destroy();
			}
		};
	}
}
