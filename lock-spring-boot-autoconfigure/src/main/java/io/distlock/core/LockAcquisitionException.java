package io.distlock.core;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a lock could not be acquired within its wait time, or the backend failed while
 * acquiring it. The locked code did not run and no lock was left behind.
 */
public class LockAcquisitionException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String lockName;

	private final String lockKey;

	private final Duration waitTime;

	/** Creates an exception for a lock that stayed taken for the whole wait time {@code waitTime}. */
	public LockAcquisitionException(String lockName, String lockKey, Duration waitTime) {
		this(lockName, lockKey, waitTime, null);
	}

	/**
	 * Creates an exception for a lock whose acquisition failed after {@code waited}, with the backend's
	 * error (or the interruption) as cause; without a cause, the lock stayed taken for the whole wait.
	 */
	public LockAcquisitionException(String lockName, String lockKey, Duration waited, @Nullable Throwable cause) {
		super(message(lockName, lockKey, waited, cause), cause);
		this.lockName = lockName;
		this.lockKey = lockKey;
		this.waitTime = waited;
	}

	private static String message(String lockName, String lockKey, Duration waited, @Nullable Throwable cause) {
		String what = "Could not acquire lock " + LockRequest.describe(lockName, lockKey == null ? "" : lockKey);
		if (cause == null) {
			return what + ": it stayed held by another holder for the whole wait of " + Durations.format(waited);
		}
		if (cause instanceof InterruptedException) {
			return what + ": the waiting thread was interrupted after " + Durations.format(waited);
		}
		return what + ": the backend failed after " + Durations.format(waited) + " of waiting: " + cause;
	}

	/**
	 * Whether the lock stayed held by another holder for the whole wait; {@code false} when the backend
	 * failed or the waiting thread was interrupted ({@link #getCause()} says which).
	 */
	public boolean isTimeout() {
		return getCause() == null;
	}

	/** Returns the lock's name. */
	public String getLockName() {
		return this.lockName;
	}

	/** Returns the lock's key ({@code ""} for a lock on the whole name). */
	public String getLockKey() {
		return this.lockKey;
	}

	/**
	 * Returns how long the caller waited: the whole wait time when the lock stayed taken, or the time
	 * actually spent before the backend failed or the thread was interrupted.
	 */
	public Duration getWaitTime() {
		return this.waitTime;
	}
}
