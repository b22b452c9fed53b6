package io.distlock.autoconfigure;

import io.distlock.core.LockProvider;
import io.distlock.redis.RedisLockProvider;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The redis backend: a {@link RedisLockProvider} on the application's {@link RedisConnectionFactory}.
 * When {@code distributed-lock.backend=redis} but no factory exists, this backs off and
 * {@link MissingBackendConfiguration} fails startup saying what to add.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.data.redis.connection.RedisConnectionFactory")
@ConditionalOnMissingBean(LockProvider.class)
@Conditional(RedisLockConfiguration.RedisCondition.class)
class RedisLockConfiguration {

	private static final String FACTORY = "org.springframework.data.redis.connection.RedisConnectionFactory";

	@Bean(destroyMethod = "close")
	RedisLockProvider redisLockProvider(RedisConnectionFactory connectionFactory, DistributedLockProperties properties,
			Environment environment) {
		BackendSelection.log(LockBackend.REDIS, environment, "found a RedisConnectionFactory bean");
		RedisLockProperties redis = properties.getRedis();
		return new RedisLockProvider(connectionFactory, redis.getChannel(), redis.getCommandTimeout(), redis.getTokenCounterTtl());
	}

	static class RedisCondition extends BackendCondition {

		RedisCondition() {
			super(LockBackend.REDIS);
		}

		@Override
		String detect(ConditionContext context) {
			return beanPresent(context, FACTORY);
		}
	}
}
