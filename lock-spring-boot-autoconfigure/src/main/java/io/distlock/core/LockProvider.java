package io.distlock.core;

import java.util.Optional;

/**
 * The SPI a backend implements: acquire one lock within a wait time.
 *
 * <p>Contract for implementations:
 * <ul>
 * <li>{@link #acquire(LockRequest)} waits at most {@code request.waitTime()} (plus one round trip) and
 * returns empty when the lock stays taken. It never leaves a lock behind when it fails, times out or
 * is interrupted.</li>
 * <li>The returned {@link LockLease} is not tied to the calling thread.</li>
 * <li>Expiry is judged by the backend server's clock only.</li>
 * <li>Re-entry, local queueing of threads of one JVM, renewal scheduling and lost-lease signalling are
 * done by the core ({@link LockTemplate}); a provider only talks to its backend.</li>
 * </ul>
 */
public interface LockProvider {

	/**
	 * Acquires the lock, waiting up to {@code request.waitTime()}.
	 * @return the lease, or empty if the lock was not free within the wait time
	 * @throws InterruptedException if the calling thread was interrupted while waiting (nothing is held)
	 * @throws RuntimeException if the backend failed; nothing is held
	 */
	Optional<LockLease> acquire(LockRequest request) throws InterruptedException;

	/** Returns the backend's name for logs and messages: {@code redis}, {@code zookeeper}, {@code jdbc}, {@code in-memory}. */
	String backendName();
}
