package io.distlock.redis;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockTemplate;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.Configurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * One application instance on a Redis Cluster or Sentinel deployment, built from properties exactly as
 * Spring Boot builds it: Spring Boot's {@link DataRedisAutoConfiguration} turns
 * {@code spring.data.redis.cluster.*} or {@code spring.data.redis.sentinel.*} into its
 * {@link LettuceConnectionFactory}, and our {@link DistributedLockAutoConfiguration} puts the
 * {@link RedisLockProvider} on it. The same context an {@code ApplicationContextRunner} builds (the
 * auto-configurations registered in their order), but open until {@link #close()}, so a test can use
 * it as a long-lived instance.
 */
final class RedisClusterOrSentinelApp implements AutoCloseable {

	private final AnnotationConfigApplicationContext context;

	private RedisClusterOrSentinelApp(AnnotationConfigApplicationContext context) {
		this.context = context;
	}

	/** Starts an instance with the given {@code key=value} properties and {@code distributed-lock.backend=redis}. */
	static RedisClusterOrSentinelApp start(String... properties) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		TestPropertyValues.of(properties).and("distributed-lock.backend=redis").applyTo(context);
		context.register(Configurations.getClasses(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				DistributedLockAutoConfiguration.class)));
		context.refresh();
		return new RedisClusterOrSentinelApp(context);
	}

	/** The provider our auto-configuration created; closed with the instance. */
	RedisLockProvider provider() {
		return this.context.getBean(RedisLockProvider.class);
	}

	/** The application's template (with its shared lease renewer), as code of the application gets it. */
	LockTemplate template() {
		return this.context.getBean(LockTemplate.class);
	}

	/** The connection factory Spring Boot created. */
	LettuceConnectionFactory connectionFactory() {
		return this.context.getBean(LettuceConnectionFactory.class);
	}

	@Override
	public void close() {
		this.context.close();
	}
}
