package io.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Runs code under a distributed lock, for code that cannot use {@code @DistributedLocked}.
 *
 * <pre class="code">
 * Receipt receipt = lockTemplate.execute("stock", order.sku(), Duration.ofSeconds(2), () -&gt; buy(order));
 *
 * try (LockHandle lock = lockTemplate.tryAcquire("report", "daily", Duration.ZERO).orElse(null)) {
 *     if (lock != null) { ... }
 * }
 * </pre>
 *
 * <p>Semantics, whatever the backend:
 * <ul>
 * <li><b>Exclusive</b> per name and key, across every instance that shares the backend and key prefix.</li>
 * <li><b>Re-entrant</b> per thread: acquiring a lock the current thread already holds returns a new
 * level at once, with the same fencing token; the lock is released when the outermost level closes.</li>
 * <li><b>Owned by the handle</b>, not the thread: {@link LockHandle#close()} may be called from any thread.</li>
 * <li><b>Leased</b>: a holder that dies frees the lock after at most its lease time; a live holder's
 * lease is renewed in the background. If renewal fails, {@link LockHandle#isHeld()} turns false and a
 * WARN is logged; the code keeps running, so storage writes should be fenced with the token.</li>
 * <li><b>Locally queued</b>: threads of one JVM waiting for the same lock wait in the JVM, and only
 * one at a time talks to the backend. Like {@code ReentrantLock}'s default, the local queue is not
 * strictly fair: an arriving thread may take a just-released lock ahead of a queued one.</li>
 * </ul>
 */
public class LockTemplate implements AutoCloseable {

	private final LockProvider provider;

	private final LeaseRenewer renewer;

	private final Duration defaultWaitTime;

	private final Duration defaultLeaseTime;

	private final String keyPrefix;

	private final LockEventListener listener;

	private final LocalWaitQueue queue = new LocalWaitQueue();

	private final HeldLocks held = new HeldLocks();

	/**
	 * Creates a template.
	 * @param provider the backend
	 * @param renewer the application's shared renewal scheduler
	 * @param defaultWaitTime the wait used when a call gives none
	 * @param defaultLeaseTime the lease used when a call gives none
	 * @param keyPrefix prepended to every lock name in the backend (may be empty)
	 * @param listener receives life-cycle events (metrics)
	 */
	public LockTemplate(LockProvider provider, LeaseRenewer renewer, Duration defaultWaitTime, Duration defaultLeaseTime,
			String keyPrefix, LockEventListener listener) {
		this.provider = Objects.requireNonNull(provider, "provider");
		this.renewer = Objects.requireNonNull(renewer, "renewer");
		this.defaultWaitTime = Objects.requireNonNull(defaultWaitTime, "defaultWaitTime");
		this.defaultLeaseTime = Objects.requireNonNull(defaultLeaseTime, "defaultLeaseTime");
		this.keyPrefix = (keyPrefix != null) ? keyPrefix : "";
		this.listener = (listener != null) ? listener : LockEventListener.NONE;
		new LockRequest("default", "", "default", defaultWaitTime, defaultLeaseTime); // validates the defaults
	}

	/** Creates a template with its own renewer, for tests and plain Java use; close it when done. */
	public LockTemplate(LockProvider provider, Duration defaultWaitTime, Duration defaultLeaseTime) {
		this(provider, new LeaseRenewer(), defaultWaitTime, defaultLeaseTime, "", LockEventListener.NONE);
	}

	/**
	 * Runs {@code action} under the lock, waiting up to {@code waitTime}, with the default lease.
	 * @throws LockAcquisitionException if the lock stayed taken for the whole wait (the action did not run)
	 */
	public <T> T execute(String name, String key, Duration waitTime, Supplier<T> action) {
		return execute(name, key, waitTime, this.defaultLeaseTime, action);
	}

	/**
	 * Runs {@code action} under the lock with an explicit lease.
	 * @throws LockAcquisitionException if the lock stayed taken for the whole wait (the action did not run)
	 */
	public <T> T execute(String name, String key, Duration waitTime, Duration leaseTime, Supplier<T> action) {
		try (LockHandle handle = acquire(name, key, waitTime, leaseTime); LockContext.Scope scope = LockContext.bind(handle)) {
			return action.get();
		}
	}

	/** Runs {@code action} under the lock; see {@link #execute(String, String, Duration, Supplier)}. */
	public void run(String name, String key, Duration waitTime, Runnable action) {
		execute(name, key, waitTime, () -> {
			action.run();
			return null;
		});
	}

	/** Tries to acquire the lock within {@code waitTime}, with the default lease; close the handle to release. */
	public Optional<LockHandle> tryAcquire(String name, String key, Duration waitTime) {
		return tryAcquire(name, key, waitTime, this.defaultLeaseTime);
	}

	/**
	 * Tries to acquire the lock within {@code waitTime}; close the handle to release.
	 * @return the handle, or empty if the lock stayed taken for the whole wait
	 * @throws LockAcquisitionException if the backend failed or the thread was interrupted (nothing is held)
	 */
	public Optional<LockHandle> tryAcquire(String name, String key, Duration waitTime, Duration leaseTime) {
		return tryAcquire(request(name, key, waitTime, leaseTime));
	}

	/**
	 * Acquires the lock within {@code waitTime}.
	 * @throws LockAcquisitionException if the lock stayed taken for the whole wait or the backend failed
	 */
	public LockHandle acquire(String name, String key, Duration waitTime, Duration leaseTime) {
		LockRequest request = request(name, key, waitTime, leaseTime);
		return tryAcquire(request).orElseThrow(() -> new LockAcquisitionException(name, request.key(), request.waitTime()));
	}

	/**
	 * Acquires several locks of one name together, all or none, within one shared wait. The keys are
	 * taken in their natural order, so two callers asking for overlapping sets cannot deadlock.
	 * Duplicate keys are taken once.
	 * @return the handles, in acquisition order; close all of them (in any order) to release
	 * @throws LockAcquisitionException naming the key that could not be taken; none is held then
	 */
	public List<LockHandle> acquireAll(String name, Collection<String> keys, Duration waitTime, Duration leaseTime) {
		long deadline = Durations.deadlineAfter(waitTime);
		List<LockHandle> handles = new ArrayList<>();
		try {
			for (String key : new TreeSet<>(keys)) {
				Duration remaining = Duration.ofNanos(Durations.remainingNanos(deadline));
				LockRequest request = request(name, key, remaining, leaseTime);
				handles.add(tryAcquire(request).orElseThrow(() -> new LockAcquisitionException(name, request.key(), waitTime)));
			}
			return handles;
		}
		catch (RuntimeException ex) {
			for (int i = handles.size() - 1; i >= 0; i--) {
				handles.get(i).close();
			}
			throw ex;
		}
	}

	/**
	 * Stops treating {@code handle} as held by the current thread for re-entry, without releasing it.
	 * For frameworks whose locked call leaves its thread (an async result) while the lock stays held.
	 */
	public void detachFromThread(LockHandle handle) {
		this.held.detach(handle);
	}

	/** Returns the backend behind this template. */
	public LockProvider getProvider() {
		return this.provider;
	}

	/** Returns the wait used when a call gives none. */
	public Duration getDefaultWaitTime() {
		return this.defaultWaitTime;
	}

	/** Returns the lease used when a call gives none. */
	public Duration getDefaultLeaseTime() {
		return this.defaultLeaseTime;
	}

	/** Returns the prefix prepended to every lock name in the backend. */
	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	/** Stops the renewer this template was given. */
	@Override
	public void close() {
		this.renewer.close();
	}

	private LockRequest request(String name, String key, Duration waitTime, Duration leaseTime) {
		Objects.requireNonNull(name, "name");
		String k = (key != null) ? key : "";
		Duration wait = (waitTime != null) ? waitTime : this.defaultWaitTime;
		Duration lease = (leaseTime != null) ? leaseTime : this.defaultLeaseTime;
		return new LockRequest(name, k, this.keyPrefix + name, wait, lease);
	}

	private Optional<LockHandle> tryAcquire(LockRequest request) {
		String lockId = request.storageName() + '\u0000' + request.key();
		LockHandle reentered = this.held.reenter(lockId);
		if (reentered != null) {
			return Optional.of(reentered);
		}
		long started = System.nanoTime();
		long deadline = Durations.deadlineAfter(request.waitTime());
		LocalWaitQueue.Permit permit = null;
		try {
			permit = this.queue.acquire(lockId, Durations.remainingNanos(deadline));
			if (permit == null) {
				this.listener.notAcquired(request, waited(started), null);
				return Optional.empty();
			}
			Optional<LockLease> lease = this.provider.acquire(request.withWaitTime(Duration.ofNanos(Durations.remainingNanos(deadline))));
			if (lease.isEmpty()) {
				permit.release();
				this.listener.notAcquired(request, waited(started), null);
				return Optional.empty();
			}
			ManagedLockHandle handle = new ManagedLockHandle(request, lease.get(), permit, this.listener);
			LockHandle level = this.held.register(lockId, handle);
			handle.startRenewal(this.renewer);
			this.listener.acquired(request, handle.fencingToken(), waited(started));
			return Optional.of(level);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw failed(request, started, permit, ex);
		}
		catch (RuntimeException ex) {
			throw failed(request, started, permit, ex);
		}
	}

	private LockAcquisitionException failed(LockRequest request, long started, LocalWaitQueue.Permit permit, Exception ex) {
		if (permit != null) {
			permit.release();
		}
		this.listener.notAcquired(request, waited(started), ex);
		return new LockAcquisitionException(request.name(), request.key(), request.waitTime(), ex);
	}

	private static Duration waited(long startedNanos) {
		return Duration.ofNanos(System.nanoTime() - startedNanos);
	}
}
