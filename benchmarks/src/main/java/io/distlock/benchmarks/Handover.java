package io.distlock.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures hand-over latency between two application instances: A holds a key, B is already waiting
 * for it, A unlocks; the latency is from just before A's unlock to B holding the lock. Roles swap
 * every sample. Each instance locks and unlocks on its own single thread, as thread-bound peers need.
 */
final class Handover {

	private static final Duration WAIT = Duration.ofSeconds(30);

	/** How long B waits before A unlocks, so that B is surely waiting (subscribed, watching or polling). */
	private static final long SETTLE_MILLIS = 60;

	private static final AtomicLong RUN = new AtomicLong();

	private Handover() {
	}

	/** Returns {@code samples} hand-over latencies in milliseconds. */
	static List<Double> measure(LockClient a, LockClient b, int samples) throws Exception {
		ExecutorService threadA = Executors.newSingleThreadExecutor();
		ExecutorService threadB = Executors.newSingleThreadExecutor();
		try {
			List<Double> latencies = new ArrayList<>();
			String key = "handover-" + RUN.incrementAndGet();
			for (int i = 0; i < samples; i++) {
				boolean swap = (i % 2 == 1);
				LockClient holder = swap ? b : a;
				LockClient waiter = swap ? a : b;
				ExecutorService holderThread = swap ? threadB : threadA;
				ExecutorService waiterThread = swap ? threadA : threadB;
				LockClient.Unlock held = holderThread.submit(() -> holder.lock(key, WAIT)).get(60, TimeUnit.SECONDS);
				Future<Long> acquiredAt = waiterThread.submit(() -> {
					LockClient.Unlock unlock = waiter.lock(key, WAIT);
					long at = System.nanoTime();
					unlock.unlock();
					return at;
				});
				Thread.sleep(SETTLE_MILLIS);
				long releasedAt = holderThread.submit(() -> {
					long at = System.nanoTime();
					held.unlock();
					return at;
				}).get(60, TimeUnit.SECONDS);
				latencies.add((acquiredAt.get(60, TimeUnit.SECONDS) - releasedAt) / 1e6);
			}
			return latencies;
		}
		finally {
			threadA.shutdownNow();
			threadB.shutdownNow();
		}
	}
}
