package io.distlock.autoconfigure;

import io.distlock.core.LockProvider;
import io.distlock.local.InMemoryLockProvider;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The fallback backend: locks in this JVM's memory. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(LockProvider.class)
@Conditional(InMemoryLockConfiguration.InMemoryCondition.class)
class InMemoryLockConfiguration {

	private static final Log logger = LogFactory.getLog(DistributedLockAutoConfiguration.class);

	@Bean
	InMemoryLockProvider inMemoryLockProvider(Environment environment) {
		BackendSelection.log(LockBackend.IN_MEMORY, environment, "no Redis, ZooKeeper or DataSource client found");
		logger.warn("Distributed locks are kept in this JVM's memory (in-memory backend): they exclude callers within "
				+ "this JVM only, not across instances. Add spring-boot-starter-data-redis, curator-recipes or "
				+ "spring-boot-starter-jdbc to lock across instances.");
		return new InMemoryLockProvider();
	}

	static class InMemoryCondition extends BackendCondition {

		InMemoryCondition() {
			super(LockBackend.IN_MEMORY);
		}

		@Override
		String detect(ConditionContext context) {
			return "no backend client";
		}
	}
}
