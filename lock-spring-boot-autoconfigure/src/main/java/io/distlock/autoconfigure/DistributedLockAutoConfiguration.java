package io.distlock.autoconfigure;

import java.time.Duration;

import io.distlock.core.Durations;
import io.distlock.core.LeaseRenewer;
import io.distlock.core.LockEventListener;
import io.distlock.core.LockEventListeners;
import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of distributed locks: one {@link LockProvider} chosen as
 * {@code distributed-lock.backend} says (or detected), the shared {@link LeaseRenewer}, the
 * {@link LockTemplate} and the {@code @DistributedLocked} interceptor.
 *
 * <p>Backend configurations are imported in detection order; the first that matches registers the
 * provider and the others back off. A user's own {@link LockProvider} bean replaces them all.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
		"org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
		"org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DistributedLockProperties.class)
@Import({ RedisLockConfiguration.class, ZookeeperLockConfiguration.class, JdbcLockConfiguration.class,
		InMemoryLockConfiguration.class, MissingBackendConfiguration.class, LockInterceptorConfiguration.class })
public class DistributedLockAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	LeaseRenewer distributedLockLeaseRenewer() {
		return new LeaseRenewer();
	}

	@Bean
	@ConditionalOnMissingBean
	LockTemplate lockTemplate(LockProvider lockProvider, LeaseRenewer leaseRenewer, DistributedLockProperties properties,
			ObjectProvider<LockEventListener> listeners) {
		requireValid(properties);
		return new LockTemplate(lockProvider, leaseRenewer, properties.getWaitTime(), properties.getLeaseTime(),
				properties.getKeyPrefix(), LockEventListeners.of(listeners.orderedStream().toList()));
	}

	@Bean
	@ConditionalOnMissingBean
	DistributedLockLifecycle distributedLockLifecycle(LockTemplate lockTemplate, Environment environment) {
		// bound as Spring Boot binds it (30s, PT30S, 30000), not with the environment's plain conversion
		Duration timeout = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
			.orElse(Duration.ofSeconds(30));
		return new DistributedLockLifecycle(lockTemplate, timeout);
	}

	private static void requireValid(DistributedLockProperties properties) {
		if (properties.getWaitTime() == null || properties.getWaitTime().isNegative()) {
			throw new IllegalStateException("distributed-lock.wait-time must be zero or positive, was " + properties.getWaitTime());
		}
		if (properties.getLeaseTime() == null || properties.getLeaseTime().compareTo(LeaseRenewer.MIN_LEASE_TIME) < 0) {
			throw new IllegalStateException("distributed-lock.lease-time must be at least "
					+ Durations.format(LeaseRenewer.MIN_LEASE_TIME) + " (a lease must leave time to renew it), was "
					+ properties.getLeaseTime());
		}
	}
}
