package io.distlock.jdbc;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped, jittered exponential backoff between the polls of one waiting caller: the delay doubles from
 * the minimum poll interval up to the maximum, so that a long wait costs the database a few reads a
 * second, and each delay is drawn from its upper half so that instances waiting for one lock do not
 * poll in lock step. (Threads of one JVM waiting for one lock queue in the core and never poll together.)
 */
final class Backoff {

	private final long maxNanos;

	private long nextNanos;

	Backoff(long minNanos, long maxNanos) {
		this.nextNanos = minNanos;
		this.maxNanos = maxNanos;
	}

	/** Returns the next delay in nanoseconds and grows the one after it. */
	long nextNanos() {
		long nanos = this.nextNanos;
		this.nextNanos = Math.min(this.maxNanos, nanos * 2);
		return ThreadLocalRandom.current().nextLong(nanos / 2, nanos + 1);
	}
}
