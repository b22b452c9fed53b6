package io.distlock.jdbc;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Capped, jittered exponential backoff between acquire attempts of one waiting caller. A database
 * cannot notify a waiter, so waiters poll; the delay doubles from {@link #FIRST_MILLIS} up to
 * {@link #CAP_MILLIS} so that a long wait costs the database a few statements a second, and each delay
 * is drawn from its upper half so that instances waiting for one lock do not retry in lock step.
 * (Threads of one JVM waiting for one lock queue in the core and never poll together.)
 */
final class Backoff {

	static final long FIRST_MILLIS = 4;

	static final long CAP_MILLIS = 100;

	private long nextMillis = FIRST_MILLIS;

	/** Returns the next delay in nanoseconds and grows the one after it. */
	long nextNanos() {
		long millis = this.nextMillis;
		this.nextMillis = Math.min(CAP_MILLIS, millis * 2);
		long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
		return ThreadLocalRandom.current().nextLong(nanos / 2, nanos + 1);
	}
}
