package io.distlock.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures hand-over latency between two application instances: A holds a key, B is already waiting
 * for it, A's locked body returns; the latency is from the end of A's body (just before its unlock)
 * to the start of B's body. Roles swap every sample.
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
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			List<Double> latencies = new ArrayList<>();
			String key = "handover-" + RUN.incrementAndGet();
			for (int i = 0; i < samples; i++) {
				LockClient holder = (i % 2 == 0) ? a : b;
				LockClient waiter = (i % 2 == 0) ? b : a;
				CountDownLatch held = new CountDownLatch(1);
				CountDownLatch release = new CountDownLatch(1);
				long[] releasedAt = new long[1];
				long[] acquiredAt = new long[1];
				Future<?> holding = threads.submit(() -> {
					holder.runLocked(key, WAIT, () -> {
						held.countDown();
						await(release);
						releasedAt[0] = System.nanoTime();
					});
					return null;
				});
				if (!held.await(60, TimeUnit.SECONDS)) {
					holding.get(); // surfaces the holder's failure
				}
				Future<?> waiting = threads.submit(() -> {
					waiter.runLocked(key, WAIT, () -> acquiredAt[0] = System.nanoTime());
					return null;
				});
				Thread.sleep(SETTLE_MILLIS);
				release.countDown();
				holding.get(60, TimeUnit.SECONDS);
				waiting.get(60, TimeUnit.SECONDS);
				latencies.add((acquiredAt[0] - releasedAt[0]) / 1e6);
			}
			return latencies;
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
