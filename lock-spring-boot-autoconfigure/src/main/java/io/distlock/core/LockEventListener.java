package io.distlock.core;

import java.time.Duration;

/**
 * Observes lock life-cycle events, for metrics and logs. Implementations must be fast and must not
 * throw; they are called on the hot path and from the renewal scheduler.
 */
public interface LockEventListener {

	/** A listener that ignores everything. */
	LockEventListener NONE = new LockEventListener() {
	};

	/** The lock was acquired after waiting {@code waited}. */
	default void acquired(LockRequest request, long fencingToken, Duration waited) {
	}

	/** The lock was not acquired within the wait time, or the backend failed ({@code error} not null). */
	default void notAcquired(LockRequest request, Duration waited, Throwable error) {
	}

	/** The lock was released after being held for {@code held}. */
	default void released(String name, String key, Duration held) {
	}

	/** The holder learned that its lease is lost. */
	default void lost(String name, String key, long fencingToken, String reason) {
	}
}
