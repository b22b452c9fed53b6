package io.distlock.core;

/**
 * Signals that a lock's lease was lost while the work it guards was still running: the holder learned
 * that its renewal was refused, could not be confirmed in time, or that its session ended. The work may
 * now run elsewhere at the same time.
 *
 * <p>A reactive result ({@code Mono}, {@code Flux}, ...) of a {@code @DistributedLocked} method whose
 * lease is lost terminates with this error, and the work upstream is cancelled. Synchronous code learns
 * of the loss through {@link LockHandle#isHeld()} and {@link LockHandle#onLost(Runnable)}.
 */
public class LockLostException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String lockName;

	private final String lockKey;

	private final long fencingToken;

	/**
	 * Creates an exception for the lock {@code lockName}/{@code lockKey} whose lease was lost.
	 * @param reason why the holder believes the lease is lost
	 */
	public LockLostException(String lockName, String lockKey, long fencingToken, String reason) {
		super("Lost lock " + LockRequest.describe(lockName, (lockKey != null) ? lockKey : "") + " (fencing token "
				+ fencingToken + "): " + reason);
		this.lockName = lockName;
		this.lockKey = lockKey;
		this.fencingToken = fencingToken;
	}

	/** Returns the lock's name. */
	public String getLockName() {
		return this.lockName;
	}

	/** Returns the lock's key ({@code ""} for a lock on the whole name). */
	public String getLockKey() {
		return this.lockKey;
	}

	/** Returns the fencing token of the lost acquisition. */
	public long getFencingToken() {
		return this.fencingToken;
	}
}
