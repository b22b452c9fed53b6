package io.distlock.core;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** Small helpers for durations in messages and deadlines. */
public final class Durations {

	private Durations() {
	}

	/**
	 * Formats a duration as {@code 250ms}, {@code 2s} or {@code 1500ms}, the way users write them; {@code ?} for
	 * {@code null}.
	 */
	public static String format(@Nullable Duration duration) {
		if (duration == null) {
			return "?";
		}
		long millis = duration.toMillis();
		if (millis != 0 && millis % 1000 == 0) {
			return (millis / 1000) + "s";
		}
		return millis + "ms";
	}

	/** Returns the nanoseconds left until {@code deadlineNanos} ({@link System#nanoTime()} based), never negative. */
	public static long remainingNanos(long deadlineNanos) {
		return Math.max(0, deadlineNanos - System.nanoTime());
	}

	/** Returns a {@link System#nanoTime()} deadline {@code duration} from now, saturating on overflow. */
	public static long deadlineAfter(Duration duration) {
		long now = System.nanoTime();
		long nanos = saturatedNanos(duration);
		long deadline = now + nanos;
		return (deadline - now < 0) ? now + Long.MAX_VALUE / 2 : deadline;
	}

	/** Returns the duration in nanoseconds, or a very large number when it does not fit. */
	public static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE / 2;
		}
	}
}
