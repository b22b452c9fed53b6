package io.distlock.autoconfigure;

import io.distlock.core.LockProvider;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/** The redis backend: NOT YET IMPLEMENTED (a provider bean is added by the redis backend work). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.data.redis.connection.RedisConnectionFactory")
@ConditionalOnMissingBean(LockProvider.class)
@Conditional(RedisLockConfiguration.RedisCondition.class)
class RedisLockConfiguration {

	// TODO: @Bean LockProvider ...; call BackendSelection.log(LockBackend.REDIS, environment, reason)

	static class RedisCondition extends BackendCondition {

		RedisCondition() {
			super(LockBackend.REDIS);
		}

		@Override
		String detect(ConditionContext context) {
			return beanPresent(context, "org.springframework.data.redis.connection.RedisConnectionFactory");
		}
	}
}
