package io.distlock.actuate;

import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's actuator set-up (an {@code ObservationRegistry} whose meter handler writes to the
 * {@code MeterRegistry}): the same meters, recorded through the observations.
 */
class ObservedLockMetersTest extends AbstractLockMetersTest {

	@Override
	protected ApplicationContextRunner runner() {
		return super.runner().withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class));
	}

	/** Micrometer's meter handler tags every observation timer with {@code error} (an exception's class name or none). */
	@Override
	protected Set<String> extraTagKeys() {
		return Set.of("error");
	}

	@Override
	protected void checkMore(AssertableApplicationContext context) {
		assertThat(context).hasSingleBean(ObservationLockEventListener.class).doesNotHaveBean(MicrometerLockEventListener.class);
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		// the backend failure is the acquire observation's error; the lost hold ends with LockLostException
		assertThat(registry.get("distributed.lock.acquire").tags("outcome", "error").timer().getId().getTag("error"))
			.isNotEqualTo("none");
		assertThat(registry.get("distributed.lock.held").tags("error", "LockLostException").timer().count()).isEqualTo(1);
		assertThat(registry.get("distributed.lock.held").tags("error", "none").timer().count()).isEqualTo(1);
	}

	@Test
	void observationsWhenAnObservationRegistryExists() {
		runner().run((context) -> assertThat(context).hasSingleBean(ObservationLockEventListener.class));
	}
}
