package io.distlock.benchmarks;

import java.time.Duration;
import java.util.List;

import io.distlock.core.LeaseRenewer;
import io.distlock.core.LockEventListener;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;

/**
 * Ours, per backend, through {@link LockTemplate}: the same facade the annotation uses, with local
 * queueing, re-entry and background renewal all switched on, as an application gets them.
 */
final class OursContenders {

	/** Lease given to every contender that takes one: long enough never to expire during a run. */
	static final Duration LEASE = Duration.ofSeconds(30);

	private OursContenders() {
	}

	/** Returns ours for {@code backend}, or nothing while that backend has not landed. */
	static List<Contender> forBackend(String backend, BenchmarkConfig config) {
		return List.of();
	}

	/** Wraps a provider built on one application instance in a template, as the auto-configuration does. */
	static LockClient template(LockProvider provider, AutoCloseable resources) {
		LeaseRenewer renewer = new LeaseRenewer();
		LockTemplate template = new LockTemplate(provider, renewer, LEASE, LEASE, "bench:", LockEventListener.NONE);
		return new LockClient() {
			@Override
			public Unlock lock(String key, Duration wait) {
				LockHandle handle = template.tryAcquire("bench", key, wait).orElseThrow(() -> LockClient.notAcquired(key, wait));
				return handle::close;
			}

			@Override
			public void close() throws Exception {
				template.close();
				if (resources != null) {
					resources.close();
				}
			}
		};
	}
}
