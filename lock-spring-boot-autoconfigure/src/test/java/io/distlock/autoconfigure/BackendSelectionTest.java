package io.distlock.autoconfigure;

import java.time.Duration;
import java.util.Optional;

import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.LockTemplate;
import io.distlock.interceptor.LockOperationSourceAdvisor;
import io.distlock.local.InMemoryLockProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Backend selection paths that need no server; each backend's own test covers its detection. */
@ExtendWith(OutputCaptureExtension.class)
class BackendSelectionTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

	private static final FilteredClassLoader NO_CLIENTS = new FilteredClassLoader("org.springframework.data.redis",
			"org.apache.curator", "org.springframework.jdbc", "javax.sql.DataSource");

	private static String failureMessages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			messages.append(t.getMessage()).append('\n');
		}
		return messages.toString();
	}

	@Test
	void noClientFallsBackToInMemoryWithAWarning(CapturedOutput output) {
		this.runner.withClassLoader(NO_CLIENTS).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(InMemoryLockProvider.class);
			assertThat(context).hasSingleBean(LockTemplate.class);
			assertThat(context).hasSingleBean(LockOperationSourceAdvisor.class);
			assertThat(output).contains("Distributed locks use the in-memory backend").contains("this JVM only");
		});
	}

	@Test
	void explicitInMemory(CapturedOutput output) {
		this.runner.withPropertyValues("distributed-lock.backend=in-memory").run((context) -> {
			assertThat(context).hasSingleBean(InMemoryLockProvider.class);
			assertThat(output).contains("in-memory backend: distributed-lock.backend=in-memory");
		});
	}

	@Test
	void explicitRedisWithoutItsClientFailsNamingTheDependency() {
		this.runner.withClassLoader(NO_CLIENTS).withPropertyValues("distributed-lock.backend=redis").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(failureMessages(context.getStartupFailure())).contains("distributed-lock.backend=redis")
				.contains("spring-boot-starter-data-redis");
		});
	}

	@Test
	void explicitZookeeperWithoutClientOrConnectStringFailsNamingTheProperty() {
		this.runner.withPropertyValues("distributed-lock.backend=zookeeper").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(failureMessages(context.getStartupFailure())).contains("distributed-lock.zookeeper.connect-string")
				.contains("curator-recipes");
		});
	}

	@Test
	void explicitJdbcWithoutADataSourceFailsNamingTheDependency() {
		this.runner.withPropertyValues("distributed-lock.backend=jdbc").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(failureMessages(context.getStartupFailure())).contains("spring-boot-starter-jdbc");
		});
	}

	@Test
	void unknownBackendFailsListingTheValidOnes() {
		this.runner.withPropertyValues("distributed-lock.backend=etcd").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(failureMessages(context.getStartupFailure())).contains("etcd").contains("redis, zookeeper, jdbc, in-memory");
		});
	}

	@Test
	void aUsersProviderWins() {
		this.runner.withBean(LockProvider.class, CustomProvider::new).run((context) -> {
			assertThat(context).hasSingleBean(LockProvider.class);
			assertThat(context.getBean(LockProvider.class)).isInstanceOf(CustomProvider.class);
			assertThat(context.getBean(LockTemplate.class).getProvider()).isInstanceOf(CustomProvider.class);
		});
	}

	@Test
	void aUsersTemplateWins() {
		this.runner.withBean("myTemplate", LockTemplate.class,
				() -> new LockTemplate(new InMemoryLockProvider(), Duration.ZERO, Duration.ofSeconds(5)))
			.run((context) -> {
				assertThat(context).hasSingleBean(LockTemplate.class);
				assertThat(context).hasBean("myTemplate");
			});
	}

	@Test
	void propertiesReachTheTemplate() {
		this.runner
			.withPropertyValues("distributed-lock.wait-time=750ms", "distributed-lock.lease-time=1m",
					"distributed-lock.key-prefix=shop:")
			.run((context) -> {
				LockTemplate template = context.getBean(LockTemplate.class);
				assertThat(template.getDefaultWaitTime()).isEqualTo(Duration.ofMillis(750));
				assertThat(template.getDefaultLeaseTime()).isEqualTo(Duration.ofMinutes(1));
				assertThat(template.getKeyPrefix()).isEqualTo("shop:");
			});
	}

	@Test
	void aNonPositiveDefaultLeaseFailsStartup() {
		this.runner.withPropertyValues("distributed-lock.lease-time=0s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(failureMessages(context.getStartupFailure())).contains("distributed-lock.lease-time must be at least 200ms");
		});
	}

	@Test
	void disabledCreatesNothing() {
		this.runner.withPropertyValues("distributed-lock.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(LockProvider.class);
			assertThat(context).doesNotHaveBean(LockTemplate.class);
			assertThat(context).doesNotHaveBean(DistributedLockProperties.class);
		});
	}

	static class CustomProvider implements LockProvider {

		@Override
		public Optional<LockLease> acquire(LockRequest request) {
			return Optional.empty();
		}

		@Override
		public String backendName() {
			return "custom";
		}
	}
}
