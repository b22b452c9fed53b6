package io.distlock.core;

import java.time.Duration;

/**
 * Thrown when a lock could not be acquired within its wait time, or the backend failed while
 * acquiring it. The locked code did not run and no lock was left behind.
 */
public class LockAcquisitionException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String lockName;

	private final String lockKey;

	private final Duration waitTime;

	/** Creates an exception for a lock that stayed taken for the whole wait time. */
	public LockAcquisitionException(String lockName, String lockKey, Duration waitTime) {
		this(lockName, lockKey, waitTime, null);
	}

	/** Creates an exception for a lock whose acquisition failed, with the backend's error as cause. */
	public LockAcquisitionException(String lockName, String lockKey, Duration waitTime, Throwable cause) {
		super(message(lockName, lockKey, waitTime, cause), cause);
		this.lockName = lockName;
		this.lockKey = lockKey;
		this.waitTime = waitTime;
	}

	private static String message(String lockName, String lockKey, Duration waitTime, Throwable cause) {
		String what = "Could not acquire lock " + LockRequest.describe(lockName, lockKey == null ? "" : lockKey);
		String waited = " within " + Durations.format(waitTime);
		return (cause == null) ? what + waited : what + waited + ": " + cause;
	}

	/** Returns the lock's name. */
	public String getLockName() {
		return this.lockName;
	}

	/** Returns the lock's key ({@code ""} for a lock on the whole name). */
	public String getLockKey() {
		return this.lockKey;
	}

	/** Returns how long the caller waited. */
	public Duration getWaitTime() {
		return this.waitTime;
	}
}
