package io.distlock.redis;

import io.distlock.actuate.AbstractLockHealthTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The health contributor on the Redis backend, with a redis-server of its own that it kills and restarts. */
class RedisLockHealthTest extends AbstractLockHealthTest {

	private static RedisServerProcess server;

	@BeforeAll
	static void startRedis() throws Exception {
		server = RedisServerProcess.start();
	}

	@AfterAll
	static void stopRedis() throws Exception {
		server.close();
	}

	@Override
	protected ApplicationContextRunner backend() {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port(),
					"spring.data.redis.timeout=1s", "spring.data.redis.connect-timeout=1s", "distributed-lock.backend=redis",
					"distributed-lock.redis.command-timeout=1s");
	}

	@Override
	protected String backendName() {
		return "redis";
	}

	@Override
	protected void stopServer() throws Exception {
		server.kill();
	}

	@Override
	protected void startServer() throws Exception {
		server.restart();
	}
}
