package io.distlock.core;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * A backend's record of one successful acquisition: the SPI half of a {@link LockHandle}.
 *
 * <p>Implementations must be safe to call from any thread: ownership belongs to this object (the
 * invocation that acquired it), never to the thread that acquired it. The core calls
 * {@link #renew(Duration)} from its shared renewal scheduler and {@link #release()} from whichever
 * thread ends the invocation.
 */
public interface LockLease {

	/**
	 * Returns the fencing token of this acquisition: strictly greater than the token of every earlier
	 * acquisition of the same lock, across instances and restarts of the application.
	 */
	long fencingToken();

	/**
	 * Returns the {@link System#nanoTime()} taken just before the request that acquired the lock was
	 * sent. The server started the lease no earlier than this, so the core measures the lease from
	 * here when it decides, by this JVM's monotonic clock alone, that a lease can no longer be trusted.
	 */
	long acquiredAtNanos();

	/**
	 * Extends the lease to {@code leaseTime} from now, by the server's clock, only if this lease still
	 * owns the lock. The core renews through {@link LockProvider#renewAll}, whose default calls this.
	 * @return {@code true} if extended, {@code false} if the lock is gone or owned by someone else
	 * @throws Exception if the backend could not be reached; the core retries on its next tick and
	 * declares the lease lost when no renewal has been confirmed for most of the lease time
	 */
	boolean renew(Duration leaseTime) throws Exception;

	/**
	 * Releases the lock only if this lease still owns it (compare-and-delete). Idempotent: a second
	 * call, or a call after the lease was lost, does nothing and never frees another holder's lock.
	 * @throws Exception if the backend could not be reached; the lock then frees itself after its lease
	 */
	void release() throws Exception;

	/**
	 * Releases the lock but leaves it taken for {@code holdFor} more, by the server's clock, owner-checked
	 * (for {@code minHoldTime}): afterwards the lock frees itself, even if this process dies right after
	 * this call. Renewal has already stopped when this is called, but a renewal sent just before may
	 * still reach the backend after this call: the backend must make sure it cannot extend the hold (for
	 * example by changing the stored owner). A zero or negative {@code holdFor} is a plain {@link #release()}.
	 * <p>The default returns {@code false} for a positive {@code holdFor}: the backend cannot do it, and
	 * the core keeps the lease (renewed) and releases it when {@code holdFor} has passed; a crash of this
	 * process then frees the lock when its lease ends instead.
	 * @return {@code true} if done (or released), {@code false} if this backend cannot keep a lock for a
	 * while after release
	 * @throws Exception if the backend could not be reached; the lock then frees itself after its lease
	 */
	default boolean releaseAfter(Duration holdFor) throws Exception {
		if (holdFor.isNegative() || holdFor.isZero()) {
			release();
			return true;
		}
		return false;
	}

	/**
	 * Whether the core must renew this lease periodically. Backends whose lease is a session (ZooKeeper)
	 * return {@code false} and report loss through {@link #onLost(Consumer)} instead.
	 */
	default boolean requiresRenewal() {
		return true;
	}

	/**
	 * Registers a callback that the backend invokes (at most once, with a reason) when it learns
	 * out of band that the lock is lost, for example when a ZooKeeper session expires or has been
	 * suspended too long to be trusted. It must be invoked before the backend can grant the lock to
	 * anyone else. If the lease is already lost when this is called, the callback must be invoked at
	 * once. The callback is cheap and never throws; the core moves the application's reactions off the
	 * calling thread.
	 */
	default void onLost(Consumer<String> callback) {
	}
}
