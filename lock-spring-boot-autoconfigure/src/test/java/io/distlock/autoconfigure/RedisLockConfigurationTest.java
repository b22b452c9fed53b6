package io.distlock.autoconfigure;

import java.time.Duration;

import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;
import io.distlock.local.InMemoryLockProvider;
import io.distlock.redis.RedisLockProvider;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Selection of the Redis backend. No server is needed: the provider connects on first use.
 */
class RedisLockConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, DistributedLockAutoConfiguration.class));

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
}
