package io.distlock.autoconfigure;

import java.time.Duration;

import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;
import io.distlock.local.InMemoryLockProvider;
import io.distlock.redis.RedisLockProvider;
import io.distlock.redis.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Selection of the Redis backend, and what it checks at startup. The selection tests point Spring Boot's
 * factory at a port where nothing listens: the provider starts without a server (it connects on first
 * use) and never talks to a Redis that happens to run on this machine.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisLockConfigurationTest {

	private static final int CLOSED_PORT = closedPort();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.port=" + CLOSED_PORT);

	private static int closedPort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static ApplicationContextRunner withoutSpringDataRedis() {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"));
	}

	@Test
	void detectedFromTheConnectionFactory() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(RedisConnectionFactory.class).hasSingleBean(RedisLockProvider.class);
			assertThat(context.getBean(LockTemplate.class).getProvider()).isInstanceOf(RedisLockProvider.class);
		});
	}

	@Test
	void chosenExplicitly() {
		this.runner.withPropertyValues("distributed-lock.backend=redis")
			.run((context) -> assertThat(context).hasSingleBean(RedisLockProvider.class));
	}

	@Test
	void anotherBackendChosenExplicitlyWins() {
		this.runner.withPropertyValues("distributed-lock.backend=in-memory").run((context) -> {
			assertThat(context).doesNotHaveBean(RedisLockProvider.class);
			assertThat(context).getBean(LockProvider.class).isInstanceOf(InMemoryLockProvider.class);
		});
	}

	@Test
	void settingsAreBound() {
		this.runner.withPropertyValues("distributed-lock.redis.channel=app:released", "distributed-lock.redis.command-timeout=750ms",
				"distributed-lock.redis.token-counter-ttl=1d")
			.run((context) -> {
				RedisLockProperties redis = context.getBean(DistributedLockProperties.class).getRedis();
				assertThat(redis.getChannel()).isEqualTo("app:released");
				assertThat(redis.getCommandTimeout()).isEqualTo(Duration.ofMillis(750));
				assertThat(redis.getTokenCounterTtl()).isEqualTo(Duration.ofDays(1));
				assertThat(context).hasSingleBean(RedisLockProvider.class);
			});
	}

	@Test
	void badSettingFailsStartupNamingIt() {
		this.runner.withPropertyValues("distributed-lock.redis.command-timeout=0s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("commandTimeout");
		});
	}

	@Test
	void namedButClientMissingFailsStartupSayingWhatToAdd() {
		withoutSpringDataRedis().withPropertyValues("distributed-lock.backend=redis")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("distributed-lock.backend=redis")
					.hasMessageContaining("spring-boot-starter-data-redis");
			});
	}

	@Test
	void namedButNoConnectionFactoryBeanFailsStartupSayingWhatToAdd() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
			.withPropertyValues("distributed-lock.backend=redis")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("spring-boot-starter-data-redis");
			});
	}

	@Test
	void withoutTheRedisClientTheInMemoryBackendIsDetected() {
		withoutSpringDataRedis().run((context) -> assertThat(context).getBean(LockProvider.class).isInstanceOf(InMemoryLockProvider.class));
	}

	@Test
	void staticMasterReplicaFailsStartupSayingWhy() {
		this.runner.withPropertyValues("spring.data.redis.masterreplica.nodes=127.0.0.1:" + CLOSED_PORT + ",127.0.0.1:" + (CLOSED_PORT + 1))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("static master/replica")
					.hasMessageContaining("spring.data.redis.masterreplica.nodes");
			});
	}

	@Test
	void evictingServerGetsAWarningAtStartup(CapturedOutput output) throws Exception {
		try (RedisServerProcess server = RedisServerProcess.start()) {
			RedisClient client = RedisClient.create("redis://127.0.0.1:" + server.port());
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				connection.sync().configSet("maxmemory-policy", "allkeys-lru");
			}
			finally {
				client.shutdown();
			}
			this.runner.withPropertyValues("spring.data.redis.port=" + server.port()).run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("maxmemory-policy").contains("allkeys-lru").contains("noeviction");
			});
		}
	}

	@Test
	void supportedServerStartsQuietly(CapturedOutput output) throws Exception {
		try (RedisServerProcess server = RedisServerProcess.start()) {
			this.runner.withPropertyValues("spring.data.redis.port=" + server.port()).run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(RedisLockProvider.class);
				assertThat(output).doesNotContain("maxmemory-policy");
			});
		}
	}
}
