package io.distlock.actuate;

import java.time.Duration;
import java.util.Set;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.autoconfigure.DistributedLockMetricsAutoConfiguration;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** A {@code MeterRegistry} but no {@code ObservationRegistry}: the meters are recorded directly. */
class PlainLockMetersTest extends AbstractLockMetersTest {

	@Override
	protected ApplicationContextRunner runner() {
		return super.runner().withBean(SimpleMeterRegistry.class);
	}

	@Override
	protected Set<String> extraTagKeys() {
		return Set.of();
	}

	@Test
	void plainMetersWithoutAnObservationRegistry() {
		runner().run((context) -> {
			assertThat(context).hasSingleBean(MicrometerLockEventListener.class).doesNotHaveBean(ObservationLockEventListener.class);
		});
	}

	@Test
	void noRegistryNoListenerAndLocksStillWork() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DistributedLockMetricsAutoConfiguration.class, DistributedLockAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(MicrometerLockEventListener.class).doesNotHaveBean(ObservationLockEventListener.class);
				try (LockHandle handle = context.getBean(LockTemplate.class).tryAcquire("x", "", Duration.ZERO).orElseThrow()) {
					assertThat(handle.isHeld()).isTrue();
				}
			});
	}

	@Test
	void disabledLocksNoListener() {
		runner().withPropertyValues("distributed-lock.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(MicrometerLockEventListener.class));
	}
}
