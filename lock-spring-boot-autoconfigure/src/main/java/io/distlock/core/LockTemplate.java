package io.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

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
 * <li><b>Re-entrant</b> per thread and synchronous: acquiring a lock the current thread holds through a
 * level it opened returns a new level at once, with the same fencing token; the lock is released when
 * its last level closes. Asynchronous acquisitions ({@link #acquireAsync}) never re-enter.</li>
 * <li><b>Owned by the handle</b>, not the thread: {@link LockHandle#close()} may be called from any thread.</li>
 * <li><b>Leased</b>: a holder that dies frees the lock after at most its lease time; a live holder's
 * lease is renewed in the background. When the holder learns that the lease is lost,
 * {@link LockHandle#isHeld()} turns false, a WARN is logged and {@link LockHandle#onLost} actions run;
 * the code keeps running, so storage writes should be fenced with the token.</li>
 * <li><b>All or nothing</b>: an acquisition that fails at any step after the backend granted the lock
 * (the renewer is closed, the application shuts down) releases the lock before it throws.</li>
 * <li><b>Locally queued</b>: threads of one JVM waiting for the same lock wait in the JVM, and only
 * one at a time talks to the backend. Like {@code ReentrantLock}'s default, this local queue is not
 * strictly fair: an arriving thread may take a just-released lock ahead of a queued one. A
 * {@linkplain LockSpec#fair(boolean) fair} lock skips it: every waiter takes its place in the backend's
 * first-come-first-served queue when it starts waiting.</li>
 * <li><b>Shut down</b> with {@link #shutdown(Duration)}: locks still held after the grace period are
 * reported lost and released; none is left to expire by its lease.</li>
 * </ul>
 *
 * <p>In the methods that take a name and a key, a {@code null} key means the whole name (as {@code ""}), and a
 * {@code null} wait or lease time the template's default, as in {@link LockSpec}.
 */
public class LockTemplate implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(LockTemplate.class);

	private final LockProvider provider;

	private final LeaseRenewer renewer;

	private final boolean ownsRenewer;

	private final Duration defaultWaitTime;

	private final Duration defaultLeaseTime;

	private final String keyPrefix;

	private final LockEventListener listener;

	private final String backend;

	private final LocalWaitQueue queue = new LocalWaitQueue();

	private final HeldLocks held = new HeldLocks();

	/** Releases of locks kept for their minimum hold time by the core, run early at shutdown. */
	private final Set<Runnable> pendingHolds = ConcurrentHashMap.newKeySet();

	private volatile boolean shuttingDown;

	private volatile boolean closed;

	/**
	 * Creates a template on the application's shared renewer, which it never closes.
	 * @param provider the backend
	 * @param renewer the application's shared renewal scheduler
	 * @param defaultWaitTime the wait used when a call gives none
	 * @param defaultLeaseTime the lease used when a call gives none
	 * @param keyPrefix prepended to every lock name in the backend (may be empty; {@code null} for none)
	 * @param listener receives life-cycle events (metrics, traces); calls to it are isolated; {@code null} for none
	 */
	public LockTemplate(LockProvider provider, LeaseRenewer renewer, Duration defaultWaitTime, Duration defaultLeaseTime,
			@Nullable String keyPrefix, @Nullable LockEventListener listener) {
		this(provider, Objects.requireNonNull(renewer, "renewer"), false, defaultWaitTime, defaultLeaseTime, keyPrefix, listener);
	}

	/** Creates a template with its own renewer, for tests and plain Java use; {@link #close()} it when done. */
	public LockTemplate(LockProvider provider, Duration defaultWaitTime, Duration defaultLeaseTime) {
		this(provider, new LeaseRenewer(), true, defaultWaitTime, defaultLeaseTime, "", LockEventListener.NONE);
	}

	private LockTemplate(LockProvider provider, LeaseRenewer renewer, boolean ownsRenewer, Duration defaultWaitTime,
			Duration defaultLeaseTime, @Nullable String keyPrefix, @Nullable LockEventListener listener) {
		this.provider = Objects.requireNonNull(provider, "provider");
		this.renewer = renewer;
		this.ownsRenewer = ownsRenewer;
		this.defaultWaitTime = Objects.requireNonNull(defaultWaitTime, "defaultWaitTime");
		this.defaultLeaseTime = Objects.requireNonNull(defaultLeaseTime, "defaultLeaseTime");
		this.keyPrefix = (keyPrefix != null) ? keyPrefix : "";
		this.listener = IsolatedLockEventListener.of(listener);
		this.backend = provider.backendName();
		new LockRequest("default", "", "default", defaultWaitTime, defaultLeaseTime); // validates the defaults
		LeaseRenewer.requireRenewable(defaultLeaseTime, "defaults (the default lease time)");
	}

	/**
	 * Runs {@code action} under the lock, waiting up to {@code waitTime}, with the default lease.
	 * @throws LockAcquisitionException if the lock stayed taken for the whole wait (the action did not run)
	 */
	public <T extends @Nullable Object> T execute(String name, @Nullable String key, @Nullable Duration waitTime,
			Supplier<T> action) {
		return execute(LockSpec.of(name, key).waitTime(waitTime), action);
	}

	/**
	 * Runs {@code action} under the lock with an explicit lease.
	 * @throws LockAcquisitionException if the lock stayed taken for the whole wait (the action did not run)
	 */
	public <T extends @Nullable Object> T execute(String name, @Nullable String key, @Nullable Duration waitTime,
			@Nullable Duration leaseTime, Supplier<T> action) {
		return execute(LockSpec.of(name, key).waitTime(waitTime).leaseTime(leaseTime), action);
	}

	/**
	 * Runs {@code action} under the lock {@code spec} describes, and releases it when the action returns or throws.
	 * @throws LockAcquisitionException if the lock was not acquired (the action did not run)
	 */
	public <T extends @Nullable Object> T execute(LockSpec spec, Supplier<T> action) {
		try (LockHandle handle = acquire(spec); LockContext.Scope scope = LockContext.bind(handle)) {
			return action.get();
		}
	}

	/** Runs {@code action} under the lock; see {@link #execute(String, String, Duration, Supplier)}. */
	public void run(String name, @Nullable String key, @Nullable Duration waitTime, Runnable action) {
		execute(name, key, waitTime, () -> {
			action.run();
			return null;
		});
	}

	/** Tries to acquire the lock within {@code waitTime}, with the default lease; close the handle to release. */
	public Optional<LockHandle> tryAcquire(String name, @Nullable String key, @Nullable Duration waitTime) {
		return tryAcquire(LockSpec.of(name, key).waitTime(waitTime));
	}

	/**
	 * Tries to acquire the lock within {@code waitTime}; close the handle to release.
	 * @return the handle, or empty if the lock stayed taken for the whole wait
	 * @throws LockAcquisitionException if the backend failed or the thread was interrupted (nothing is held)
	 */
	public Optional<LockHandle> tryAcquire(String name, @Nullable String key, @Nullable Duration waitTime,
			@Nullable Duration leaseTime) {
		return tryAcquire(LockSpec.of(name, key).waitTime(waitTime).leaseTime(leaseTime));
	}

	/**
	 * Tries to acquire the lock {@code spec} describes; close the handle to release.
	 * @return the handle, or empty if the lock stayed taken for the whole wait
	 * @throws LockAcquisitionException if the backend failed or the thread was interrupted (nothing is held)
	 * @throws IllegalArgumentException if the spec asks for a fair lock and the backend cannot provide one
	 */
	public Optional<LockHandle> tryAcquire(LockSpec spec) {
		LockRequest request = request(spec);
		return acquireOne(request, spec.minHoldTime(), Durations.deadlineAfter(request.waitTime()), true, null);
	}

	/**
	 * Acquires the lock within {@code waitTime}.
	 * @throws LockAcquisitionException if the lock stayed taken for the whole wait or the backend failed
	 */
	public LockHandle acquire(String name, @Nullable String key, @Nullable Duration waitTime, @Nullable Duration leaseTime) {
		return acquire(LockSpec.of(name, key).waitTime(waitTime).leaseTime(leaseTime));
	}

	/**
	 * Acquires the lock {@code spec} describes.
	 * @throws LockAcquisitionException if the lock stayed taken for the whole wait or the backend failed
	 */
	public LockHandle acquire(LockSpec spec) {
		LockRequest request = request(spec);
		return acquireOne(request, spec.minHoldTime(), Durations.deadlineAfter(request.waitTime()), true, null)
			.orElseThrow(() -> new LockAcquisitionException(request.name(), request.key(), request.waitTime()));
	}

	/**
	 * Acquires several locks of one name together, all or none, within one shared wait. The keys are
	 * taken in their natural order, so two callers asking for overlapping sets cannot deadlock.
	 * Duplicate keys are taken once.
	 * @return the handles, in acquisition order; close all of them (in any order) to release
	 * @throws LockAcquisitionException naming the key that could not be taken; none is held then
	 */
	public List<LockHandle> acquireAll(String name, Collection<String> keys, @Nullable Duration waitTime,
			@Nullable Duration leaseTime) {
		return acquireAll(LockSpec.of(name).waitTime(waitTime).leaseTime(leaseTime), keys);
	}

	/**
	 * Acquires the locks of {@code spec}'s name for every key of {@code keys} (the spec's own key is
	 * ignored), all or none, within the spec's wait; see {@link #acquireAll(String, Collection, Duration, Duration)}.
	 * @throws IllegalArgumentException if {@code keys} is empty
	 */
	public List<LockHandle> acquireAll(LockSpec spec, Collection<String> keys) {
		LockRequest first = request(spec);
		return acquireEach(spec, first, sortedKeys(spec, keys), Durations.deadlineAfter(first.waitTime()), true, null);
	}

	/**
	 * Acquires the lock {@code spec} describes without blocking the calling thread: the wait runs on the
	 * core's own threads (virtual threads where the JVM has them), and the wait time counts from this
	 * call. The acquisition never re-enters a lock held by the calling thread, and its handle is not
	 * registered for re-entry on any thread.
	 * <p>Cancelling the returned future ends the wait; a lock granted after cancellation is released.
	 * @return a future completed with the handle, or exceptionally with {@link LockAcquisitionException}
	 */
	public CompletableFuture<LockHandle> acquireAsync(LockSpec spec) {
		return acquireAsync(spec, null, (handles) -> handles.get(0));
	}

	/**
	 * Acquires the locks of {@code spec}'s name for every key of {@code keys}, all or none, without
	 * blocking the calling thread; see {@link #acquireAsync(LockSpec)} and
	 * {@link #acquireAll(LockSpec, Collection)}.
	 */
	public CompletableFuture<List<LockHandle>> acquireAllAsync(LockSpec spec, Collection<String> keys) {
		return acquireAsync(spec, Objects.requireNonNull(keys, "keys"), (handles) -> handles);
	}

	private <T> CompletableFuture<T> acquireAsync(LockSpec spec, @Nullable Collection<String> keys,
			Function<List<LockHandle>, T> toResult) {
		LockRequest first = request(spec);
		long deadline = Durations.deadlineAfter(first.waitTime());
		Collection<String> all = (keys != null) ? sortedKeys(spec, keys) : List.of(first.key());
		// listeners hear of the acquisitions on the caller's thread (an observation's parent span is there)
		List<LockEventListener.Acquisition> observers = new ArrayList<>(all.size());
		for (String key : all) {
			observers.add(this.listener.acquiring(request(spec.key(key)), this.backend));
		}
		CompletableFuture<T> result = new CompletableFuture<>();
		Runnable work = () -> {
			if (result.isDone()) {
				observers.forEach((observer) -> observer.notAcquired(new java.util.concurrent.CancellationException()));
				return;
			}
			try {
				List<LockHandle> handles = acquireEach(spec, first, all, deadline, false, observers);
				if (!result.complete(toResult.apply(handles))) {
					closeAll(handles); // cancelled while we were granted
				}
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		};
		java.util.concurrent.Future<?> task;
		try {
			task = CoreThreads.executor().submit(work);
		}
		catch (RuntimeException ex) {
			observers.forEach((observer) -> observer.notAcquired(ex));
			result.completeExceptionally(new LockAcquisitionException(first.name(), first.key(), Duration.ZERO, ex));
			return result;
		}
		result.whenComplete((value, error) -> {
			if (result.isCancelled()) {
				task.cancel(true);
			}
		});
		return result;
	}

	/** Returns whether the backend can grant fair locks ({@link LockSpec#fair(boolean)}). */
	public boolean supportsFairLocks() {
		return this.provider.supportsFairLocks();
	}

	/** Returns the locks this template holds now, one entry per lock (not per re-entry level), for operators. */
	public List<LockInfo> heldLocks() {
		return this.held.info();
	}

	/**
	 * Stops treating the lock of {@code handle} as held by the thread that acquired it, without releasing
	 * it: for frameworks whose locked call leaves its thread (an async result) while the lock stays held.
	 * Only a level that was a fresh acquisition on its thread is affected; detaching a re-entered level
	 * does nothing, since the outer level on that thread still holds the lock.
	 */
	public void detachFromThread(LockHandle handle) {
		this.held.detach(handle);
	}

	/**
	 * Lets the current thread re-enter the locks of {@code handles} (taken by {@link #acquireAsync}) until
	 * the returned scope closes: for frameworks that run an asynchronous call's body on some thread
	 * while its locks are held, so that synchronous locked code inside the body re-enters them. The
	 * handles are not closed by the scope; their locks stay held until the handles close.
	 */
	public LockContext.Scope attachToThread(Collection<LockHandle> handles) {
		return this.held.attach(handles);
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

	/**
	 * Ends this template's locks for application shutdown. New acquisitions are refused from the
	 * moment the grace period ends. Locks whose work ends within {@code grace} are released as usual;
	 * those still held after it are reported lost ({@code isHeld()} false, {@code onLost} actions, a WARN
	 * naming each) and released, so that none is left to expire by its lease. Locks kept by the core for
	 * their minimum hold time are released at once. Renewal continues during the grace period; a renewer
	 * this template created is closed at the end. Idempotent.
	 * @param grace how long to wait for running work to release its locks
	 */
	public void shutdown(Duration grace) {
		if (this.closed) {
			return;
		}
		this.shuttingDown = true;
		for (Runnable hold : List.copyOf(this.pendingHolds)) {
			if (this.pendingHolds.remove(hold)) {
				hold.run();
			}
		}
		long deadline = Durations.deadlineAfter(grace);
		boolean interrupted = false;
		for (Acquisition acquisition : this.held.acquisitions()) {
			try {
				acquisition.awaitEnd(Durations.remainingNanos(deadline));
			}
			catch (InterruptedException ex) {
				interrupted = true;
				break;
			}
		}
		this.closed = true;
		for (Acquisition acquisition : this.held.acquisitions()) {
			acquisition.abandon("the application is shutting down and the lock's work was still running after the "
					+ Durations.format(grace) + " grace period; the lock was released");
		}
		if (this.ownsRenewer) {
			this.renewer.close();
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	/** Shuts down without a grace period: see {@link #shutdown(Duration)}. */
	@Override
	public void close() {
		shutdown(Duration.ZERO);
	}

	/** Whether {@link #shutdown} has begun. */
	public boolean isShuttingDown() {
		return this.shuttingDown;
	}

	LeaseRenewer renewer() {
		return this.renewer;
	}

	/** Runs {@code release} after {@code holdNanos}, or at shutdown if that comes first. */
	void holdUntil(Runnable release, long holdNanos) {
		Runnable once = new Runnable() {
			@Override
			public void run() {
				if (LockTemplate.this.pendingHolds.remove(this)) {
					release.run();
				}
			}
		};
		this.pendingHolds.add(once);
		try {
			this.renewer.later(() -> CoreThreads.executor().execute(once), holdNanos);
		}
		catch (RuntimeException ex) {
			once.run();
		}
		if (this.shuttingDown) {
			once.run();
		}
	}

	private LockRequest request(LockSpec spec) {
		Duration wait = (spec.waitTime() != null) ? spec.waitTime() : this.defaultWaitTime;
		Duration lease = (spec.leaseTime() != null) ? spec.leaseTime() : this.defaultLeaseTime;
		if (spec.fair() && !this.provider.supportsFairLocks()) {
			throw new IllegalArgumentException("The " + this.backend + " backend cannot grant fair locks; lock "
					+ LockRequest.describe(spec.name(), spec.key()) + " asks for one");
		}
		LockRequest request = new LockRequest(spec.name(), spec.key(), this.keyPrefix + spec.name(), wait, lease, spec.fair());
		LeaseRenewer.requireRenewable(lease, request.describe());
		return request;
	}

	/** Returns the id under which one JVM knows a lock: its stored name and key. */
	static String lockId(LockRequest request) {
		return request.storageName() + '\u0000' + request.key();
	}

	private static Collection<String> sortedKeys(LockSpec spec, Collection<String> keys) {
		if (keys.isEmpty()) {
			throw new IllegalArgumentException("No keys to lock for " + LockRequest.describe(spec.name(), "")
					+ ": an empty set of keys would run the code unlocked");
		}
		return new TreeSet<>(keys);
	}

	/**
	 * Acquires every key in order within one deadline; on any failure releases what it took and throws.
	 * @param observers one per key, made on the caller's thread, or {@code null} to make them here; those
	 * of keys never tried hear that they were not acquired
	 */
	private List<LockHandle> acquireEach(LockSpec spec, LockRequest first, Collection<String> keys, long deadline,
			boolean reentrant, @Nullable List<LockEventListener.Acquisition> observers) {
		List<LockHandle> handles = new ArrayList<>(keys.size());
		int tried = 0;
		try {
			for (String key : keys) {
				LockRequest request = request(spec.key(key));
				LockEventListener.Acquisition observer = (observers != null) ? observers.get(tried) : null;
				tried++;
				handles.add(acquireOne(request, spec.minHoldTime(), deadline, reentrant, observer)
					.orElseThrow(() -> new LockAcquisitionException(spec.name(), request.key(), first.waitTime())));
			}
			return handles;
		}
		catch (Throwable ex) {
			closeAll(handles);
			if (observers != null) {
				Throwable cause = (ex instanceof LockAcquisitionException lae && lae.isTimeout()) ? null : ex;
				for (int i = tried; i < observers.size(); i++) {
					observers.get(i).notAcquired(cause);
				}
			}
			throw ex;
		}
	}

	private static void closeAll(List<LockHandle> handles) {
		for (int i = handles.size() - 1; i >= 0; i--) {
			handles.get(i).close();
		}
	}

	/**
	 * The acquisition pipeline: re-entry, local permit, backend, renewal, listener, re-entry registration
	 * last. Anything that throws after the backend granted the lock rolls every step back.
	 */
	private Optional<LockHandle> acquireOne(LockRequest request, Duration minHoldTime, long deadline, boolean reentrant,
			LockEventListener.@Nullable Acquisition preparedObserver) {
		String lockId = lockId(request);
		if (reentrant) {
			LockHandle reentered = this.held.reenter(lockId);
			if (reentered != null) {
				return Optional.of(reentered);
			}
		}
		long started = System.nanoTime();
		LockEventListener.Acquisition observer = (preparedObserver != null) ? preparedObserver
				: this.listener.acquiring(request, this.backend);
		LocalWaitQueue.Permit permit = null;
		Acquisition acquisition = null;
		try {
			if (this.closed) {
				throw new IllegalStateException("the lock template has been shut down");
			}
			permit = request.fair() ? LocalWaitQueue.Permit.NONE : this.queue.acquire(lockId, Durations.remainingNanos(deadline));
			if (permit == null) {
				observer.notAcquired(null);
				return Optional.empty();
			}
			Optional<LockLease> lease = this.provider.acquire(request.withWaitTime(Duration.ofNanos(Durations.remainingNanos(deadline))));
			if (lease.isEmpty()) {
				permit.release();
				observer.notAcquired(null);
				return Optional.empty();
			}
			acquisition = new Acquisition(this, request, lease.get(), permit, minHoldTime);
			acquisition.start(this.renewer, observer.acquired(lease.get().fencingToken()));
			if (this.closed) {
				throw new IllegalStateException("the lock template was shut down while acquiring");
			}
			return Optional.of(this.held.register(reentrant ? lockId : null, acquisition));
		}
		catch (Throwable ex) {
			if (acquisition != null) {
				acquisition.rollBack();
			}
			else if (permit != null) {
				permit.release();
			}
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			observer.notAcquired(ex);
			if (ex instanceof Error error) {
				throw error;
			}
			if (ex instanceof LockAcquisitionException lae) {
				throw lae;
			}
			throw new LockAcquisitionException(request.name(), request.key(), Duration.ofNanos(System.nanoTime() - started), ex);
		}
	}
}
