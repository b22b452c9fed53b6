package io.distlock.autoconfigure;

import io.distlock.core.LockProvider;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/** The jdbc backend: NOT YET IMPLEMENTED (a provider bean is added by the jdbc backend work). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "javax.sql.DataSource")
@ConditionalOnMissingBean(LockProvider.class)
@Conditional(JdbcLockConfiguration.JdbcCondition.class)
class JdbcLockConfiguration {

	// TODO: @Bean LockProvider ...; call BackendSelection.log(LockBackend.JDBC, environment, reason)

	static class JdbcCondition extends BackendCondition {

		JdbcCondition() {
			super(LockBackend.JDBC);
		}

		@Override
		String detect(ConditionContext context) {
			return beanPresent(context, "javax.sql.DataSource");
		}
	}
}
