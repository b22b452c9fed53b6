package io.distlock.benchmarks;

import java.util.List;

import io.distlock.actuate.MicrometerLockEventListener;
import io.distlock.actuate.ObservationLockEventListener;
import io.distlock.core.LeaseRenewer;
import io.distlock.core.LockEventListener;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;
import io.distlock.local.InMemoryLockProvider;
import io.distlock.redis.RedisLockProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;

/**
 * The cost of our instrumentation: the same {@link LockTemplate} on the same backend, without any registry
 * (the baseline, shown as the "peer" of the ratio table), with a {@link MeterRegistry} only (plain meters),
 * and with a {@link MeterRegistry} and an {@link ObservationRegistry} whose meter handler records the
 * observations, as Spring Boot's actuator sets them up. Backends: {@code in-memory} (the instrumentation's
 * cost undiluted by a network round trip) and {@code redis-instrumentation} (Redis, where the target is at
 * most 10% cost). Run with {@code benchmarks/run.sh backends=in-memory,redis-instrumentation}.
 */
final class InstrumentationContenders {

	static final String IN_MEMORY = "in-memory";

	static final String REDIS = "redis-instrumentation";

	private InstrumentationContenders() {
	}

	static List<Contender> inMemory() {
		return contenders(IN_MEMORY, new ProviderSource() {

			// one provider for both application instances: in-memory locks exclude within one JVM only
			private final InMemoryLockProvider shared = new InMemoryLockProvider();

			@Override
			public LockProvider open(AppInstance app) {
				return this.shared;
			}
		});
	}

	static List<Contender> redis() {
		return contenders(REDIS, (app) -> new RedisLockProvider(app.lettuceConnectionFactory()));
	}

	private static List<Contender> contenders(String backend, ProviderSource providers) {
		return List.of(
				Contender.peer(backend, "ours, no registry (baseline)",
						(app) -> template(providers.open(app), LockEventListener.NONE)),
				Contender.ours(backend, "ours, MeterRegistry",
						(app) -> template(providers.open(app), new MicrometerLockEventListener(new SimpleMeterRegistry()))),
				Contender.ours(backend, "ours, MeterRegistry + ObservationRegistry", (app) -> template(providers.open(app), observed())));
	}

	/** What Spring Boot's actuator builds: observations whose meter handler writes to the meter registry. */
	private static LockEventListener observed() {
		MeterRegistry meters = new SimpleMeterRegistry();
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
		return new ObservationLockEventListener(observations, meters, null, null);
	}

	/** Ours through a {@link LockTemplate} whose events go to {@code listener}, as {@code OursContenders} builds it otherwise. */
	private static LockClient template(LockProvider provider, LockEventListener listener) {
		LockTemplate template = new LockTemplate(provider, new LeaseRenewer(), OursContenders.LEASE, OursContenders.LEASE, "bench:",
				listener);
		return LockClient.of((key, wait) -> {
			LockHandle handle = template.tryAcquire("bench", key, wait).orElseThrow(() -> LockClient.notAcquired(key, wait));
			return handle::close;
		}, () -> {
			template.close();
			if (provider instanceof AutoCloseable closeable && !(provider instanceof InMemoryLockProvider)) {
				closeable.close();
			}
		});
	}

	@FunctionalInterface
	private interface ProviderSource {

		LockProvider open(AppInstance app) throws Exception;
	}
}
