package io.distlock.autoconfigure;

import io.distlock.actuate.LockAcquireObservationConvention;
import io.distlock.actuate.LockHeldObservationConvention;
import io.distlock.actuate.MicrometerLockEventListener;
import io.distlock.actuate.ObservationLockEventListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Instruments locks ({@code distributed.lock.*}) when Micrometer is present: through the Observation API
 * when an {@link ObservationRegistry} bean exists (Spring Boot's actuator provides one), which gives the
 * meters and, with tracing, spans; else with plain meters when a {@link MeterRegistry} bean exists.
 */
@AutoConfiguration(before = DistributedLockAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class DistributedLockMetricsAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ObservationRegistry.class)
	@ConditionalOnBean(ObservationRegistry.class)
	static class ObservationConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ObservationLockEventListener observationLockEventListener(ObservationRegistry observationRegistry,
				ObjectProvider<MeterRegistry> meterRegistry, ObjectProvider<LockAcquireObservationConvention> acquireConvention,
				ObjectProvider<LockHeldObservationConvention> heldConvention) {
			return new ObservationLockEventListener(observationRegistry, meterRegistry.getIfUnique(),
					acquireConvention.getIfUnique(), heldConvention.getIfUnique());
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(MeterRegistry.class)
	@ConditionalOnMissingBean(type = "io.micrometer.observation.ObservationRegistry")
	static class MeterConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MicrometerLockEventListener micrometerLockEventListener(MeterRegistry registry) {
			return new MicrometerLockEventListener(registry);
		}
	}
}
