package io.distlock.redis;

import java.time.Duration;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Builds providers as an application would: its own connection factory, which the provider closes. */
final class RedisTestConnections {

	private RedisTestConnections() {
	}

	/** A started Lettuce connection factory to {@code 127.0.0.1:port}. */
	static LettuceConnectionFactory factory(int port) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * A started Jedis connection factory to {@code 127.0.0.1:port} (pooled, as Spring Boot builds it),
	 * logged in as {@code username} unless null, with {@code readTimeout} for every command.
	 */
	static JedisConnectionFactory jedisFactory(int port, String username, String password, Duration readTimeout) {
		RedisStandaloneConfiguration server = new RedisStandaloneConfiguration("127.0.0.1", port);
		if (username != null) {
			server.setUsername(username);
			server.setPassword(password);
		}
		JedisClientConfiguration client = JedisClientConfiguration.builder().readTimeout(readTimeout).usePooling().build();
		JedisConnectionFactory factory = new JedisConnectionFactory(server, client);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/** A Lettuce provider on a factory of its own; closing the provider destroys the factory too. */
	static RedisLockProvider provider(int port, Duration commandTimeout) {
		return provider(factory(port), commandTimeout);
	}

	/** A provider on {@code factory} (Lettuce or Jedis); closing the provider destroys the factory too. */
	static RedisLockProvider provider(RedisConnectionFactory factory, Duration commandTimeout) {
		return new RedisLockProvider(factory, RedisLockProvider.DEFAULT_CHANNEL, commandTimeout, RedisLockProvider.DEFAULT_TOKEN_COUNTER_TTL) {
			@Override
			public void close() {
				super.close();
				destroy(factory);
			}
		};
	}

	/** A provider on {@code gateway}, which it closes. */
	static RedisLockProvider provider(RedisGateway gateway, Duration commandTimeout) {
		return new RedisLockProvider(gateway, RedisLockProvider.DEFAULT_CHANNEL, commandTimeout, RedisLockProvider.DEFAULT_TOKEN_COUNTER_TTL);
	}

	static void destroy(RedisConnectionFactory factory) {
		if (factory instanceof LettuceConnectionFactory lettuce) {
			lettuce.destroy();
		}
		else if (factory instanceof JedisConnectionFactory jedis) {
			jedis.destroy();
		}
	}
}
