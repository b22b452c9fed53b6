package io.distlock.redis;

import java.time.Duration;

import io.distlock.core.LockProvider;
import io.distlock.testsupport.AbstractLockProviderContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The contract through the generic Spring Data Redis gateway (what a Jedis application gets), here
 * driven by a Lettuce factory: a connection per call, NOSCRIPT fallback by message, and a background
 * subscription thread.
 */
class SpringDataRedisGatewayTest extends AbstractLockProviderContractTest {

	static RedisServerProcess server;

	@BeforeAll
	static void startServer() throws Exception {
		server = RedisServerProcess.start();
	}

	@AfterAll
	static void stopServer() throws Exception {
		server.close();
	}

	@Override
	protected LockProvider createProvider() {
		LettuceConnectionFactory factory = RedisTestConnections.factory(server.port());
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
