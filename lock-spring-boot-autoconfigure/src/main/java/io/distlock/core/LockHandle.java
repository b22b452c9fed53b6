package io.distlock.core;

import java.time.Instant;

/**
 * One held lock, owned by the invocation (not the thread) that acquired it.
 *
 * <p>{@link #close()} releases it from any thread; it is idempotent and owner-checked, so a stale
 * handle never frees a lock that someone else holds now. While the handle is held, its lease is
 * renewed in the background. When the holder learns that its lease is lost (a renewal was refused,
 * none could be confirmed before the lease's deadline, the backend session ended or the application
 * shuts down while the work still runs), {@link #isHeld()} turns {@code false}, a WARN is logged and the
 * {@link #onLost(Runnable) onLost} actions run; the code itself keeps running, so code that writes to
 * shared storage should pass {@link #fencingToken()} along so that the storage can reject writes from a
 * holder whose lease has expired.
 */
public interface LockHandle extends AutoCloseable {

	/** Returns the lock's name as the caller gave it (without the key prefix). */
	String name();

	/** Returns the lock's key; {@code ""} for a lock on the whole name. */
	String key();

	/**
	 * Returns the fencing token: strictly greater for each new acquisition of the same name and key,
	 * across all instances and restarts of the application. A re-entry keeps the outer call's token.
	 */
	long fencingToken();

	/**
	 * Returns whether this holder still believes it owns the lock: {@code false} after {@link #close()},
	 * and as soon as the holder learns its lease is lost.
	 */
	boolean isHeld();

	/** Returns when this lock was acquired (for a re-entered handle: when the outermost level acquired it). */
	Instant heldSince();

	/**
	 * Runs {@code action} once when the holder learns that the lease is lost: at once (on the calling
	 * thread) if it is lost already, never if this handle was closed normally first. Actions never run
	 * on the thread that renews leases, so a slow action delays no renewal; an action that throws is
	 * logged and harms nothing else. A re-entered handle registers with the lock it shares.
	 */
	void onLost(Runnable action);

	/**
	 * Releases the lock (for a re-entered handle: ends this level only). Idempotent; never throws. Also
	 * releases on an interrupted thread (a cancelled task's {@code finally}), keeping its interrupt status.
	 */
	@Override
	void close();
}
