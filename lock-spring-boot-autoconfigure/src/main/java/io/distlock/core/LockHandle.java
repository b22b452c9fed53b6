package io.distlock.core;

/**
 * One held lock, owned by the invocation (not the thread) that acquired it.
 *
 * <p>{@link #close()} releases it from any thread; it is idempotent and owner-checked, so a stale
 * handle never frees a lock that someone else holds now. While the handle is held, its lease is
 * renewed in the background; if a renewal finds the lock gone, or none could be confirmed in time,
 * {@link #isHeld()} turns {@code false} and a WARN is logged. Code that writes to shared storage
 * should pass {@link #fencingToken()} along so that the storage can reject writes from a holder whose
 * lease has expired.
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
	 * and as soon as the holder learns its lease is lost (renewal refused, no renewal confirmed within the
	 * lease, session lost).
	 */
	boolean isHeld();

	/** Releases the lock (for a re-entered handle: ends this level only). Idempotent; never throws. */
	@Override
	void close();
}
