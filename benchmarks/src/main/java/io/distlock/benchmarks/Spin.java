package io.distlock.benchmarks;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** The retry pause of contenders that cannot wait by themselves (the raw limits, ShedLock). */
final class Spin {

	private Spin() {
	}

	/**
	 * Pauses {@code config.spinMicros()} before the next try, or throws when the wait is over.
	 * @throws IllegalStateException when {@code deadline} (a {@link System#nanoTime()}) has passed
	 */
	static void backOff(BenchmarkConfig config, String key, Duration wait, long deadline) {
		if (System.nanoTime() - deadline > 0) {
			throw LockClient.notAcquired(key, wait);
		}
		LockSupport.parkNanos(config.spinMicros() * 1000L);
	}
}
