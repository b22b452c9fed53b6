package io.distlock.autoconfigure;

import io.distlock.core.LockProvider;
import io.distlock.redis.RedisLockProvider;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * The redis backend: a {@link RedisLockProvider} on the application's {@link RedisConnectionFactory}.
 * When {@code distributed-lock.backend=redis} but no factory exists, this backs off and
 * {@link MissingBackendConfiguration} fails startup saying what to add.
 *
 * <p>At startup the provider checks the server ({@link RedisLockProvider#verifyServer()}): a Redis
 * older than the backend needs, or a connection factory it cannot use, fails startup; a server that
 * may evict keys gets a WARN. A static master/replica setup
 * ({@code spring.data.redis.masterreplica.nodes}) fails startup: locks need the master and pub/sub on it.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.data.redis.connection.RedisConnectionFactory")
@ConditionalOnMissingBean(LockProvider.class)
@Conditional(RedisLockConfiguration.RedisCondition.class)
class RedisLockConfiguration {

	private static final String FACTORY = "org.springframework.data.redis.connection.RedisConnectionFactory";

	private static final String CONNECTION_DETAILS = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails";

	@Bean(destroyMethod = "close")
	RedisLockProvider redisLockProvider(RedisConnectionFactory connectionFactory, DistributedLockProperties properties,
			Environment environment, ListableBeanFactory beanFactory) {
		if (ClassUtils.isPresent(CONNECTION_DETAILS, getClass().getClassLoader())) {
			BootConnectionDetails.rejectStaticMasterReplica(beanFactory);
		}
		BackendSelection.log(LockBackend.REDIS, environment, "found a RedisConnectionFactory bean");
		RedisLockProperties redis = properties.getRedis();
		RedisLockProvider provider = new RedisLockProvider(connectionFactory, redis.getChannel(), redis.getCommandTimeout(),
				redis.getTokenCounterTtl());
		try {
			provider.verifyServer();
		}
		catch (RuntimeException ex) {
			provider.close();
			throw ex;
		}
		return provider;
	}

	/** Spring Boot's own Redis settings, read only when its Redis auto-configuration module is present. */
	private static final class BootConnectionDetails {

		static void rejectStaticMasterReplica(ListableBeanFactory beanFactory) {
			DataRedisConnectionDetails details = beanFactory.getBeanProvider(DataRedisConnectionDetails.class).getIfUnique();
			if (details != null && details.getMasterReplica() != null) {
				throw new IllegalStateException("distributed-lock: the Redis lock backend does not support a static master/replica "
						+ "setup (spring.data.redis.masterreplica.nodes): every lock must be written to the master and announced "
						+ "over pub/sub on it. Point spring.data.redis.host at the master, or use Sentinel "
						+ "(spring.data.redis.sentinel.*) so that failover moves the locks with the master.");
			}
		}

		private BootConnectionDetails() {
		}
	}

	static class RedisCondition extends BackendCondition {

		RedisCondition() {
			super(LockBackend.REDIS);
		}

		@Override
		@Nullable String detect(ConditionContext context) {
			return beanPresent(context, FACTORY);
		}
	}
}
