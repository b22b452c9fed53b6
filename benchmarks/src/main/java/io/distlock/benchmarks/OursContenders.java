package io.distlock.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LeaseRenewer;
import io.distlock.core.LockEventListener;
import io.distlock.core.LockProvider;
import io.distlock.core.LockSpec;
import io.distlock.core.LockTemplate;
import io.distlock.jdbc.JdbcLockProvider;
import io.distlock.jdbc.JdbcLockSchema;
import io.distlock.redis.RedisLockProvider;
import io.distlock.zookeeper.ZookeeperLockProvider;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;

/**
 * Ours, per backend, two ways: through {@link LockTemplate} (with local queueing, re-entry and
 * background renewal, as an application gets them), and through {@code @DistributedLocked} on a
 * Spring bean of a small application context built by our auto-configuration (adds the interceptor
 * and SpEL key evaluation). Both use the same provider, built on one application instance.
 */
final class OursContenders {

	/** Lease given to every contender that takes one: long enough never to expire during a run. */
	static final Duration LEASE = Duration.ofSeconds(30);

	private OursContenders() {
	}

	/** Builds our provider for one backend on one application instance. */
	@FunctionalInterface
	interface ProviderFactory {

		/** Returns the provider on the instance's shared connections; it is closed with its client if {@link AutoCloseable}. */
		LockProvider create(AppInstance app) throws Exception;
	}

	/** Returns ours for {@code backend}, both ways. */
	static List<Contender> forBackend(String backend, BenchmarkConfig config) {
		ProviderFactory factory = switch (backend) {
			case RedisContenders.BACKEND -> (app) -> new RedisLockProvider(app.lettuceConnectionFactory());
			case ZookeeperContenders.BACKEND -> (app) -> new ZookeeperLockProvider(app.curator(), "/bench-ours");
			case JdbcContenders.BACKEND -> (app) -> {
				JdbcLockSchema.create(app.dataSource(), JdbcLockSchema.DEFAULT_TABLE_NAME);
				return new JdbcLockProvider(app.dataSource());
			};
			default -> throw new IllegalArgumentException("unknown backend " + backend);
		};
		List<Contender> ours = new java.util.ArrayList<>(List.of(Contender.ours(backend, "ours (LockTemplate)", (app) -> template(factory.create(app), false)),
				Contender.ours(backend, "ours (@DistributedLocked)", (app) -> annotation(factory.create(app)))));
		if (!backend.equals(JdbcContenders.BACKEND)) { // JDBC has no fair locks
			ours.add(Contender.ours(backend, "ours fair (LockTemplate)", (app) -> template(factory.create(app), true)).asFair());
		}
		return ours;
	}

	/** Through {@link LockTemplate}, fair ({@code LockSpec.fair(true)}: callers of every instance in arrival order) or not. */
	static LockClient template(LockProvider provider, boolean fair) throws Exception {
		if (fair && !provider.supportsFairLocks()) {
			closeIfCloseable(provider);
			return new LockClient.Unavailable("the " + provider.backendName() + " backend of this build has no fair locks");
		}
		LeaseRenewer renewer = new LeaseRenewer();
		LockTemplate template = new LockTemplate(provider, renewer, LEASE, LEASE, "bench:", LockEventListener.NONE);
		return new LockClient() {
			@Override
			public void runLocked(String key, Duration wait, Runnable body) {
				template.execute(LockSpec.of("bench", key).waitTime(wait).fair(fair), () -> {
					body.run();
					return null;
				});
			}

			@Override
			public void close() throws Exception {
				template.close();
				closeIfCloseable(provider);
			}
		};
	}

	static LockClient annotation(LockProvider provider) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("benchmark",
				Map.of("distributed-lock.key-prefix", "bench-annotated:", "distributed-lock.lease-time", LEASE.toString())));
		context.registerBean(LockProvider.class, () -> provider);
		context.register(AnnotatedApplication.class);
		context.refresh();
		LockedService service = context.getBean(LockedService.class);
		return new LockClient() {
			@Override
			public void runLocked(String key, Duration wait, Runnable body) {
				service.run(key, wait, body);
			}

			@Override
			public void close() throws Exception {
				context.close();
				closeIfCloseable(provider);
			}
		};
	}

	private static void closeIfCloseable(Object provider) throws Exception {
		if (provider instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

	/** The application: our auto-configuration and one annotated bean; the provider is registered directly. */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(DistributedLockAutoConfiguration.class)
	static class AnnotatedApplication {

		@Bean
		LockedService lockedService() {
			return new LockedService();
		}
	}

	/** What a user writes: the key from an argument, the wait from an argument too. */
	public static class LockedService {

		@DistributedLocked(name = "bench", key = "#key", waitTime = "#wait")
		public void run(String key, Duration wait, Runnable body) {
			body.run();
		}
	}
}
