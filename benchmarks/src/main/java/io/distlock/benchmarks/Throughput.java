package io.distlock.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures lock+unlock operations per second of one contender in one scenario. Each thread locks,
 * checks that it is alone inside (contended scenario: an in-JVM check of mutual exclusion that would
 * catch a broken lock), unlocks, and counts; operations started before the end are counted when done.
 */
final class Throughput {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final AtomicLong RUN = new AtomicLong();

	private Throughput() {
	}

	/** The outcome of one measurement. */
	record Result(double opsPerSecond, long errors, long violations, String firstError) {
	}

	static Result measure(LockClient[] instances, Scenario scenario, Duration duration) throws InterruptedException {
		long run = RUN.incrementAndGet(); // fresh keys per run: nothing left over from an earlier run
		AtomicLong ops = new AtomicLong();
		AtomicLong errors = new AtomicLong();
		AtomicLong violations = new AtomicLong();
		AtomicInteger inside = new AtomicInteger();
		List<String> firstError = new ArrayList<>();
		CountDownLatch ready = new CountDownLatch(scenario.threads());
		CountDownLatch start = new CountDownLatch(1);
		long[] window = new long[2];
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < scenario.threads(); t++) {
			LockClient client = instances[t % instances.length];
			String key = scenario.contended() ? "tp-" + run : "tp-" + run + "-" + t;
			Thread thread = new Thread(() -> {
				ready.countDown();
				try {
					start.await();
				}
				catch (InterruptedException ex) {
					return;
				}
				long done = 0;
				while (System.nanoTime() - window[1] < 0) {
					try {
						client.runLocked(key, WAIT, () -> {
							if (scenario.contended() && inside.getAndIncrement() != 0) {
								violations.incrementAndGet();
							}
							if (scenario.contended()) {
								inside.decrementAndGet();
							}
						});
						done++;
					}
					catch (Exception ex) {
						if (errors.incrementAndGet() == 1) {
							synchronized (firstError) {
								firstError.add(ex.toString());
							}
						}
					}
				}
				ops.addAndGet(done);
			}, "bench-" + t);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		ready.await();
		window[0] = System.nanoTime();
		window[1] = window[0] + duration.toNanos();
		start.countDown();
		for (Thread thread : threads) {
			thread.join();
		}
		long elapsed = Math.max(System.nanoTime() - window[0], 1);
		double opsPerSecond = ops.get() * 1e9 / elapsed;
		return new Result(opsPerSecond, errors.get(), violations.get(), firstError.isEmpty() ? null : firstError.get(0));
	}
}
