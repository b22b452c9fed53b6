package io.distlock.autoconfigure;

import io.distlock.actuate.MicrometerLockEventListener;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Publishes lock metrics ({@code distributed.lock.*}) when Micrometer and a {@link MeterRegistry} are
 * present.
 */
@AutoConfiguration(before = DistributedLockAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class DistributedLockMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MicrometerLockEventListener micrometerLockEventListener(MeterRegistry registry) {
		return new MicrometerLockEventListener(registry);
	}
}
