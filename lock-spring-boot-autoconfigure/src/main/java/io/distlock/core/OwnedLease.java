package io.distlock.core;

import java.time.Duration;

/**
 * Base of leases whose backend stores an owner id beside the lock (Redis, JDBC): keeps the token and
 * the acquisition time, and stops renewing and releasing once a release went through. A release that
 * failed may be tried again.
 */
public abstract class OwnedLease implements LockLease {

	private final long token;

	private final long acquiredAtNanos;

	private volatile boolean released;

	/**
	 * @param token the fencing token the backend issued
	 * @param acquiredAtNanos {@link System#nanoTime()} just before the acquiring request was sent
	 */
	protected OwnedLease(long token, long acquiredAtNanos) {
		this.token = token;
		this.acquiredAtNanos = acquiredAtNanos;
	}

	@Override
	public final long fencingToken() {
		return this.token;
	}

	@Override
	public final long acquiredAtNanos() {
		return this.acquiredAtNanos;
	}

	@Override
	public final boolean renew(Duration leaseTime) throws Exception {
		return !this.released && renewIfOwner(leaseTime);
	}

	@Override
	public final void release() throws Exception {
		if (!this.released) {
			releaseIfOwner();
			this.released = true;
		}
	}

	/** Extends the lease only if this owner still holds the lock; {@code false} if it does not. */
	protected abstract boolean renewIfOwner(Duration leaseTime) throws Exception;

	/** Frees the lock only if this owner still holds it (compare-and-delete). */
	protected abstract void releaseIfOwner() throws Exception;
}
