package io.distlock.actuate;

import java.time.Duration;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.autoconfigure.DistributedLockHealthAutoConfiguration;
import io.distlock.core.LockProvider;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code distributedLock} health contributor on a real backend server: {@code UP} with the backend's
 * name while the server runs, {@code DOWN} with the reason while it is stopped, {@code UP} again once it is
 * back; and gone with {@code management.health.distributed-lock.enabled=false}. Each backend's test class
 * (in the backend's test package, next to its server helpers) says how to configure, stop and start it.
 */
public abstract class AbstractLockHealthTest {

	/** An application context using the backend on the running server (before the auto-configurations below). */
	protected abstract ApplicationContextRunner backend();

	/** The backend's name, as {@link LockProvider#backendName()} returns it. */
	protected abstract String backendName();

	/** Stops the server (the application's connections break). */
	protected abstract void stopServer() throws Exception;

	/** Starts the server again where it was. */
	protected abstract void startServer() throws Exception;

	protected ApplicationContextRunner runner() {
		return backend().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class,
				DistributedLockHealthAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class));
	}

	@Test
	void upWhileTheServerRunsDownWhileItIsStoppedAndUpAgain() {
		runner().run((context) -> {
			assertThat(context).hasNotFailed();
			HealthIndicator indicator = contributor(context);
			Health up = indicator.health();
			assertThat(up.getStatus()).as(up.toString()).isEqualTo(Status.UP);
			assertThat(up.getDetails()).containsEntry("backend", backendName()).doesNotContainKey("error");

			stopServer();
			try {
				Health down = await().atMost(Duration.ofSeconds(60)).until(indicator::health,
						(health) -> health.getStatus().equals(Status.DOWN));
				assertThat(down.getDetails()).containsEntry("backend", backendName());
				assertThat(down.getDetails().get("error")).as(down.toString()).asString().isNotBlank();
			}
			finally {
				startServer();
			}
			await().atMost(Duration.ofSeconds(60)).until(() -> indicator.health().getStatus().equals(Status.UP));
		});
	}

	@Test
	void disabledByProperty() {
		runner().withPropertyValues("management.health.distributed-lock.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(LockProvider.class).doesNotHaveBean(DistributedLockHealthIndicator.class);
			assertThat(context.getBean(HealthContributorRegistry.class).getContributor("distributedLock")).isNull();
		});
	}

	protected static HealthIndicator contributor(AssertableApplicationContext context) {
		// under the contract's name: the bean name without its HealthIndicator suffix
		return (HealthIndicator) context.getBean(HealthContributorRegistry.class).getContributor("distributedLock");
	}
}
