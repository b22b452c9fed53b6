package io.distlock.autoconfigure;

import io.distlock.actuate.DistributedLockHealthIndicator;
import io.distlock.core.LockProvider;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The health contributor {@code distributedLock} (the bean name without its {@code HealthIndicator}
 * suffix), when Spring Boot's health support is present; {@code management.health.distributed-lock.enabled=false}
 * removes it.
 */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(LockProvider.class)
@ConditionalOnEnabledHealthIndicator("distributed-lock")
public class DistributedLockHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "distributedLockHealthIndicator")
	DistributedLockHealthIndicator distributedLockHealthIndicator(LockProvider lockProvider) {
		return new DistributedLockHealthIndicator(lockProvider);
	}
}
