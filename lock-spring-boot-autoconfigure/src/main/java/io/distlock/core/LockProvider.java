package io.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SPI a backend implements: acquire one lock within a wait time, renew held leases in batches,
 * and say what the backend can do.
 *
 * <p>Contract for implementations:
 * <ul>
 * <li>{@link #acquire(LockRequest)} waits at most {@code request.waitTime()} (plus one round trip) and
 * returns empty when the lock stays taken. It never leaves a lock behind when it fails, times out or
 * is interrupted, and an interrupted caller keeps its interrupt status.</li>
 * <li>The returned {@link LockLease} is not tied to the calling thread.</li>
 * <li>Expiry is judged by the backend server's clock only.</li>
 * <li>Re-entry, local queueing of threads of one JVM, renewal scheduling, minimum hold times that the
 * backend cannot keep itself and lost-lease signalling to the application are done by the core
 * ({@link LockTemplate}); a provider only talks to its backend.</li>
 * </ul>
 */
public interface LockProvider {

	/**
	 * Acquires the lock, waiting up to {@code request.waitTime()}.
	 * @return the lease, or empty if the lock was not free within the wait time
	 * @throws InterruptedException if the calling thread was interrupted while waiting (nothing is held)
	 * @throws RuntimeException if the backend failed; nothing is held. Throw promptly with the backend's
	 * error as the cause: the core reports how long was actually waited
	 */
	Optional<LockLease> acquire(LockRequest request) throws InterruptedException;

	/** Returns the backend's name for logs, meters and messages: {@code redis}, {@code zookeeper}, {@code jdbc}, {@code in-memory}. */
	String backendName();

	/**
	 * Extends every lease of {@code leases} to {@code leaseTime} from now, by the server's clock, each
	 * only if it still owns its lock, in as few round trips as the backend allows (one pipelined round
	 * per connection or node, one statement per batch). Every lease was acquired by this provider and
	 * {@link LockLease#requiresRenewal() requires renewal}.
	 *
	 * <p>The default renews one lease after the other through {@link LockLease#renew(Duration)}.
	 * @return one result per lease, in the order of {@code leases}; never throws: a lease whose renewal
	 * could not be confirmed gets {@link RenewalResult#failed(Exception)}
	 */
	default List<RenewalResult> renewAll(List<? extends LockLease> leases, Duration leaseTime) {
		List<RenewalResult> results = new ArrayList<>(leases.size());
		for (LockLease lease : leases) {
			try {
				results.add(lease.renew(leaseTime) ? RenewalResult.RENEWED : RenewalResult.REFUSED);
			}
			catch (Exception ex) {
				results.add(RenewalResult.failed(ex));
			}
		}
		return results;
	}

	/**
	 * Whether this backend grants a lock requested with {@link LockRequest#fair()} in the order in which
	 * callers of every instance started waiting. The core never sends a fair request to a provider that
	 * returns {@code false}; {@code @DistributedLocked(fair = true)} then fails startup.
	 */
	default boolean supportsFairLocks() {
		return false;
	}

	/**
	 * Checks that the backend answers, for health reporting.
	 * @return details worth showing to an operator (server version, connection or subscription state);
	 * never the keys of held locks
	 * @throws Exception if the backend does not answer or cannot serve locks; its message says why
	 */
	default Map<String, Object> checkHealth() throws Exception {
		return Map.of();
	}
}
