package io.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Renews the leases of every held lock of the application, in batches, on a fixed, small number of
 * threads whatever the number of locks held.
 *
 * <p>How it works:
 * <ul>
 * <li><b>One clock thread</b> keeps one timer per lease: when a third of the lease has passed since the
 * last confirmed renewal was sent, the lease joins its provider's batch; when the lease's
 * <em>deadline</em> passes without a confirmation, the lease is declared lost on the spot (an exact
 * deadline, not a periodic check).</li>
 * <li><b>Batches</b>: leases due at about the same time, of one provider and one lease time, are sent in
 * one {@link LockProvider#renewAll} call (one pipelined round on Redis, one statement on JDBC). A batch
 * in flight collects the next one, so a busy backend gets fewer, larger calls, never more.</li>
 * <li><b>A bounded I/O pool</b> of {@value #IO_THREADS} threads makes those calls, so a backend that hangs
 * blocks at most those threads; deadlines still fire on the clock thread.</li>
 * <li><b>Deadline</b>: {@code 5/6} of the lease after the send time of the last confirmed renewal
 * (or of the acquiring request). The server started each extension no earlier than that send time, so
 * the holder learns of a loss at least a sixth of the lease before the server can free the lock.</li>
 * <li><b>Errors</b>: a failed renewal is retried (every tenth of the lease) until the deadline; its
 * first failure per lease is logged at WARN with the cause. A refusal (the lock is gone or has another
 * owner) is a loss at once.</li>
 * </ul>
 * Loss callbacks run on the clock or an I/O thread and must be quick: the core hands the application's
 * reactions to other threads.
 *
 * <p>Closing the renewer stops all renewal; every lease it still renews is reported lost ("renewal
 * stopped"), since nobody keeps it alive any more. A {@link LockTemplate} releases its locks before the
 * shared renewer closes (see {@link LockTemplate#shutdown(Duration)}).
 */
public class LeaseRenewer implements AutoCloseable {

	/** The shortest lease that can be renewed: a renewal must fit in a sixth of it. */
	public static final Duration MIN_LEASE_TIME = Duration.ofMillis(200);

	/** Threads that send renewals; also the most batches in flight at once. */
	static final int IO_THREADS = 4;

	/** The most leases sent in one {@link LockProvider#renewAll} call. */
	static final int MAX_BATCH = 500;

	private static final Log logger = LogFactory.getLog(LeaseRenewer.class);

	private final ScheduledThreadPoolExecutor clock;

	private final ThreadPoolExecutor io;

	private final Map<BatchKey, Batch> batches = new ConcurrentHashMap<>();

	private final Set<Renewal> active = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean closed = new AtomicBoolean();

	/** Creates a renewer with its own daemon clock thread and I/O threads. */
	public LeaseRenewer() {
		this.clock = new ScheduledThreadPoolExecutor(1, CoreThreads.daemon("distributed-lock-renewal"));
		this.clock.setRemoveOnCancelPolicy(true);
		// a task that is always due within a second keeps the queue's head occupied: a lease timer added
		// behind it does not wake the clock thread, which it otherwise does on every acquisition when no
		// lock is held (measured: 1.5-4 µs of scheduler CPU plus a context switch per lock)
		this.clock.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.SECONDS);
		this.io = new ThreadPoolExecutor(IO_THREADS, IO_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				CoreThreads.daemon("distributed-lock-renewal-io"));
		this.io.allowCoreThreadTimeOut(true);
	}

	/**
	 * Starts renewing {@code lease} until the returned renewal is cancelled or the lease is lost.
	 * @param provider the provider that granted the lease (renews it, in batches with its other leases)
	 * @param lease the lease to renew
	 * @param leaseTime the lease time requested at each renewal
	 * @param acquiredAtNanos when the acquiring request was sent ({@link System#nanoTime()})
	 * @param description the lock, for log messages
	 * @param onLost called once, with a reason, when the lease is lost; must be quick
	 * @return the renewal; cancel it when the lock is released
	 * @throws IllegalStateException if the renewer is closed
	 * @throws IllegalArgumentException if {@code leaseTime} is shorter than {@link #MIN_LEASE_TIME}
	 */
	public Renewal schedule(LockProvider provider, LockLease lease, Duration leaseTime, long acquiredAtNanos,
			String description, Consumer<String> onLost) {
		requireRenewable(leaseTime, description);
		if (this.closed.get()) {
			throw new IllegalStateException("The lease renewer is closed (the application is shutting down)");
		}
		Batch batch = this.batches.computeIfAbsent(new BatchKey(provider, leaseTime), (key) -> new Batch(key));
		Renewal renewal = new Renewal(batch, lease, acquiredAtNanos, description, onLost);
		this.active.add(renewal);
		if (this.closed.get()) {
			// closed between the check and the registration: nobody would renew it
			renewal.lost("the lease renewer is closed");
			throw new IllegalStateException("The lease renewer is closed (the application is shutting down)");
		}
		renewal.arm(renewal.confirmedAtNanos + renewal.leaseNanos / 3);
		return renewal;
	}

	/**
	 * Checks that {@code leaseTime} can be renewed.
	 * @throws IllegalArgumentException naming the lock if it is shorter than {@link #MIN_LEASE_TIME}
	 */
	public static void requireRenewable(Duration leaseTime, String description) {
		if (leaseTime.compareTo(MIN_LEASE_TIME) < 0) {
			throw new IllegalArgumentException("leaseTime " + Durations.format(leaseTime) + " of lock " + description
					+ " is too short to be renewed in time: use at least " + Durations.format(MIN_LEASE_TIME));
		}
	}

	/** Runs {@code action} once after {@code delayNanos} on the clock thread (it must be quick). */
	ScheduledFuture<?> later(Runnable action, long delayNanos) {
		return this.clock.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
	}

	/** Returns the number of leases being renewed now. */
	public int size() {
		return this.active.size();
	}

	/** Whether {@link #close()} was called. */
	public boolean isClosed() {
		return this.closed.get();
	}

	/**
	 * Stops all renewal. Every lease still renewed is reported lost, since nothing keeps it alive any
	 * more; its lock frees itself when its lease ends on the server. Idempotent.
	 */
	@Override
	public void close() {
		if (this.closed.compareAndSet(false, true)) {
			for (Renewal renewal : this.active) {
				renewal.lost("renewal stopped: the lease renewer was closed (application shutting down)");
			}
			this.clock.shutdownNow();
			this.io.shutdownNow();
		}
	}

	private record BatchKey(LockProvider provider, Duration leaseTime) {
	}

	/** The leases of one provider and lease time that are due: sent together, one call in flight at a time. */
	private final class Batch {

		private final LockProvider provider;

		private final Duration leaseTime;

		private final Queue<Renewal> due = new ConcurrentLinkedQueue<>();

		private final AtomicBoolean sending = new AtomicBoolean();

		Batch(BatchKey key) {
			this.provider = key.provider();
			this.leaseTime = key.leaseTime();
		}

		void add(Renewal renewal) {
			this.due.add(renewal);
			trigger();
		}

		private void trigger() {
			if (!this.due.isEmpty() && this.sending.compareAndSet(false, true)) {
				try {
					LeaseRenewer.this.io.execute(this::send);
				}
				catch (RejectedExecutionException ex) {
					this.sending.set(false); // closed
				}
			}
		}

		private void send() {
			try {
				List<Renewal> renewals = new ArrayList<>();
				while (true) {
					renewals.clear();
					for (Renewal r = this.due.poll(); r != null; r = (renewals.size() < MAX_BATCH) ? this.due.poll() : null) {
						if (!r.done) {
							renewals.add(r);
						}
					}
					if (renewals.isEmpty()) {
						return;
					}
					List<LockLease> leases = new ArrayList<>(renewals.size());
					for (Renewal r : renewals) {
						leases.add(r.lease);
					}
					long sentAt = System.nanoTime();
					List<RenewalResult> results = renewAll(leases);
					for (int i = 0; i < renewals.size(); i++) {
						renewals.get(i).completed(results.get(i), sentAt);
					}
				}
			}
			finally {
				this.sending.set(false);
				if (!LeaseRenewer.this.closed.get()) {
					trigger();
				}
			}
		}

		private List<RenewalResult> renewAll(List<LockLease> leases) {
			List<RenewalResult> results;
			try {
				results = this.provider.renewAll(leases, this.leaseTime);
			}
			catch (RuntimeException ex) {
				results = null;
				RenewalResult failed = RenewalResult.failed(ex);
				List<RenewalResult> all = new ArrayList<>(leases.size());
				for (int i = 0; i < leases.size(); i++) {
					all.add(failed);
				}
				return all;
			}
			if (results == null || results.size() != leases.size()) {
				throw new IllegalStateException(this.provider.getClass().getName() + ".renewAll returned "
						+ ((results != null) ? results.size() : "no") + " results for " + leases.size() + " leases");
			}
			return results;
		}
	}

	/** The renewal of one lease. */
	public final class Renewal {

		private final Batch batch;

		private final LockLease lease;

		private final long leaseNanos;

		private final String description;

		private final Consumer<String> onLost;

		/** Send time of the last confirmed renewal (or of the acquiring request). */
		private volatile long confirmedAtNanos;

		private volatile boolean queued;

		private volatile boolean done;

		private volatile boolean failing;

		private @Nullable ScheduledFuture<?> timer; // guarded by this

		Renewal(Batch batch, LockLease lease, long acquiredAtNanos, String description, Consumer<String> onLost) {
			this.batch = batch;
			this.lease = lease;
			this.leaseNanos = Durations.saturatedNanos(batch.leaseTime);
			this.description = description;
			this.onLost = Objects.requireNonNull(onLost, "onLost");
			this.confirmedAtNanos = acquiredAtNanos;
		}

		private long deadline() {
			return this.confirmedAtNanos + this.leaseNanos / 6 * 5;
		}

		/** Sets the timer to fire at {@code atNanos}, or at the deadline if that comes first. */
		private synchronized void arm(long atNanos) {
			if (this.done) {
				return;
			}
			if (this.timer != null) {
				this.timer.cancel(false);
			}
			long at = Math.min(atNanos, deadline());
			try {
				this.timer = LeaseRenewer.this.clock.schedule(this::fire, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (RejectedExecutionException ex) {
				// the renewer closed: close() reports every active lease lost
			}
		}

		private void fire() {
			boolean send = false;
			boolean expired;
			synchronized (this) {
				if (this.done) {
					return;
				}
				expired = System.nanoTime() - deadline() >= 0;
				if (!expired) {
					// until a confirmation re-arms the timer, the next thing to watch is the deadline
					arm(deadline());
					send = !this.queued;
					this.queued = true;
				}
			}
			if (send) {
				this.batch.add(this);
			}
			if (!expired) {
				return;
			}
			lost("no renewal was confirmed within " + Durations.format(Duration.ofNanos(this.leaseNanos / 6 * 5))
					+ " of a " + Durations.format(this.batch.leaseTime) + " lease (the backend did not answer in time)");
		}

		private void completed(RenewalResult result, long sentAt) {
			if (result.isRefused()) {
				lost("the backend reports that the lock is no longer owned by this holder");
				return;
			}
			synchronized (this) {
				this.queued = false;
				if (this.done) {
					return;
				}
				if (result.isRenewed()) {
					this.confirmedAtNanos = sentAt;
					arm(sentAt + this.leaseNanos / 3);
				}
				else {
					arm(System.nanoTime() + Math.max(TimeUnit.MILLISECONDS.toNanos(10), this.leaseNanos / 10));
				}
			}
			if (result.isRenewed()) {
				if (this.failing) {
					this.failing = false;
					logger.info("Renewal of lock " + this.description + " works again");
				}
			}
			else if (!this.failing) {
				this.failing = true;
				logger.warn("Could not renew lock " + this.description + "; retrying until it is declared lost "
						+ Durations.format(Duration.ofNanos(Math.max(0, deadline() - System.nanoTime()))) + " from now: "
						+ result.error(), result.error());
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Renewal of lock " + this.description + " failed again: " + result.error());
			}
		}

		private void lost(String reason) {
			if (stop()) {
				this.onLost.accept(reason);
			}
		}

		/** Stops renewing; idempotent. */
		public void cancel() {
			stop();
		}

		private boolean stop() {
			synchronized (this) {
				if (this.done) {
					return false;
				}
				this.done = true;
				if (this.timer != null) {
					this.timer.cancel(false);
				}
			}
			LeaseRenewer.this.active.remove(this);
			return true;
		}
	}
}
