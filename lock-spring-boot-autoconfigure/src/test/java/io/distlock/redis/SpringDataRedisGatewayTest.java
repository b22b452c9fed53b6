package io.distlock.redis;

import java.time.Duration;

import io.distlock.core.LockProvider;
import io.distlock.testsupport.AbstractLockProviderContractTest;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The contract through the generic Spring Data Redis gateway (what a Jedis application gets), here
 * driven by a Lettuce factory: a connection per call, NOSCRIPT fallback by message, and a background
 * subscription thread.
 */
class SpringDataRedisGatewayTest extends AbstractLockProviderContractTest {

	@Override
	protected LockProvider createProvider() throws Exception {
		LettuceConnectionFactory factory = RedisTestConnections.factory(RedisServerProcess.shared().port());
		return new RedisLockProvider(new SpringDataRedisGateway(factory), RedisLockProvider.DEFAULT_CHANNEL, Duration.ofSeconds(2),
				RedisLockProvider.DEFAULT_TOKEN_COUNTER_TTL) {
			@Override
			public void close() {
				super.close();
				factory.destroy();
			}
		};
	}
}
