package io.distlock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One acquisition of one lock: the backend's lease, the local permit, the renewal, the life-cycle
 * state and the re-entry depth. The public {@link LockHandle}s are views of one level of it
 * ({@link HeldLocks}); the lock is released when the last level closes.
 *
 * <p>States: {@code HELD} until released or lost; {@code LOST} once the holder learned that the lease
 * is gone (the work may still run; the lease is still released, owner-checked, when it ends);
 * {@code RELEASED} at the end. Every transition happens once, whichever thread causes it.
 */
final class Acquisition {

	private static final Log logger = LogFactory.getLog(LockHandle.class);

	private static final int HELD = 0;

	private static final int LOST = 1;

	private static final int RELEASED = 2;

	private final LockTemplate template;

	private final LockRequest request;

	private final LockLease lease;

	private final LocalWaitQueue.Permit permit;

	private final Duration minHoldTime;

	private final Instant heldSince = Instant.now();

	private final AtomicInteger state = new AtomicInteger(HELD);

	private final List<Runnable> lostActions = new java.util.ArrayList<>(); // guarded by itself

	private final CountDownLatch ended = new CountDownLatch(1);

	private int depth = 1; // guarded by this

	private volatile LeaseRenewer.@Nullable Renewal renewal;

	private volatile LockEventListener.Holding listener = LockEventListener.Holding.NONE;

	private volatile Runnable onEnd = () -> {
	};

	/** Completed once the application's reactions to a loss have run: the listener hears {@code released} after them. */
	private final CompletableFuture<Void> lostReactionsDone = new CompletableFuture<>();

	Acquisition(LockTemplate template, LockRequest request, LockLease lease, LocalWaitQueue.Permit permit, Duration minHoldTime) {
		this.template = template;
		this.request = request;
		this.lease = lease;
		this.permit = permit;
		this.minHoldTime = minHoldTime;
	}

	/**
	 * Starts renewing the lease (if the backend needs it) and listening for the backend's loss signal.
	 * @throws RuntimeException if renewal cannot start (the renewer is closed); the caller rolls back
	 */
	void start(LeaseRenewer renewer, LockEventListener.Holding holding) {
		this.listener = holding;
		if (this.lease.requiresRenewal()) {
			this.renewal = renewer.schedule(this.template.getProvider(), this.lease, this.request.leaseTime(),
					this.lease.acquiredAtNanos(), this.request.describe(), this::markLost);
		}
		this.lease.onLost(this::markLost);
	}

	/** Runs {@code action} once this acquisition has ended (released or rolled back). */
	void onEnd(Runnable action) {
		this.onEnd = action;
	}

	LockRequest request() {
		return this.request;
	}

	long fencingToken() {
		return this.lease.fencingToken();
	}

	Instant heldSince() {
		return this.heldSince;
	}

	boolean isHeld() {
		return this.state.get() == HELD;
	}

	boolean isEnded() {
		return this.state.get() == RELEASED;
	}

	/** Adds a level if the lock is still held; {@code false} if it is lost or released. */
	synchronized boolean enter() {
		if (this.state.get() != HELD || this.depth == 0) {
			return false;
		}
		this.depth++;
		return true;
	}

	/** Ends a level; the last one releases. */
	void exit() {
		boolean last;
		synchronized (this) {
			last = --this.depth == 0;
		}
		if (last) {
			release();
		}
	}

	void onLost(Runnable action) {
		boolean lostAlready;
		synchronized (this.lostActions) {
			lostAlready = this.state.get() == LOST;
			if (!lostAlready) {
				this.lostActions.add(action);
			}
		}
		if (lostAlready) {
			runQuietly(action, "onLost action");
		}
	}

	/** Drops actions of a level closed normally; after a loss they are taken already and run. */
	void removeLostActions(java.util.Collection<Runnable> actions) {
		synchronized (this.lostActions) {
			this.lostActions.removeAll(actions);
		}
	}

	/**
	 * Marks the lease lost, once: renewal stops, a WARN names the lock, and the listener and
	 * {@code onLost} actions run on the core's threads (never on the renewal thread that noticed).
	 */
	void markLost(String reason) {
		List<Runnable> actions;
		// the state turns and the actions are taken at once: an action is either taken here, or registered
		// after this and run at once, or removed by a level closed before this
		synchronized (this.lostActions) {
			if (!this.state.compareAndSet(HELD, LOST)) {
				return;
			}
			actions = List.copyOf(this.lostActions);
			this.lostActions.clear();
		}
		stopRenewal();
		logger.warn("Lost lock " + this.request.describe() + " (fencing token " + fencingToken() + "): " + reason
				+ ". The protected code may now run elsewhere; writes should be fenced with the token.");
		// the lock is gone anyway: the next local waiter may try the backend
		this.permit.release();
		LockEventListener.Holding holding = this.listener;
		Runnable reactions = () -> {
			try {
				runQuietly(() -> holding.lost(reason), "lock listener");
				for (Runnable action : actions) {
					runQuietly(action, "onLost action");
				}
			}
			finally {
				this.lostReactionsDone.complete(null);
			}
		};
		try {
			CoreThreads.executor().execute(reactions);
		}
		catch (RuntimeException ex) {
			reactions.run();
		}
	}

	/**
	 * Releases the lock: renewal stops, and the lease is released (owner-checked), or kept by the
	 * backend until the minimum hold time has passed. Idempotent; never throws. An interrupted calling
	 * thread (a cancelled task) still releases, as clients such as Lettuce refuse work on an interrupted
	 * thread: its interrupt status is set aside for the release and restored afterwards.
	 */
	void release() {
		int previous = this.state.getAndSet(RELEASED);
		if (previous == RELEASED) {
			return;
		}
		stopRenewal();
		synchronized (this.lostActions) {
			this.lostActions.clear();
		}
		long holdNanos = this.minHoldTime.toNanos() - (System.nanoTime() - this.lease.acquiredAtNanos());
		boolean interrupted = Thread.interrupted(); // a cancelled task's finally must still free its lock
		try {
			if (previous != HELD || holdNanos <= 0 || this.template.isShuttingDown()) {
				this.lease.release();
			}
			else if (!this.lease.releaseAfter(Duration.ofNanos(holdNanos))) {
				holdInCore(holdNanos);
			}
		}
		catch (Exception ex) {
			logger.warn("Could not release lock " + this.request.describe() + " (fencing token " + fencingToken()
					+ "); it frees itself when its lease ends: " + ex);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
			this.permit.release();
			end(previous == LOST);
		}
	}

	/**
	 * Undoes an acquisition that failed after the backend granted it: nothing may stay behind, no
	 * renewal, no lease, no permit. Never throws.
	 */
	void rollBack() {
		this.state.set(RELEASED);
		stopRenewal();
		try {
			this.lease.release();
		}
		catch (Throwable ex) {
			logger.warn("Could not release lock " + this.request.describe() + " after a failed acquisition; it frees itself"
					+ " when its lease ends: " + ex);
		}
		finally {
			this.permit.release();
			this.ended.countDown();
			this.onEnd.run();
		}
	}

	/**
	 * For shutdown: a lock whose work still runs after the grace period is reported lost and released.
	 */
	void abandon(String reason) {
		markLost(reason);
		release();
	}

	/** Waits until this acquisition has ended, at most {@code nanos}. */
	boolean awaitEnd(long nanos) throws InterruptedException {
		return this.ended.await(nanos, TimeUnit.NANOSECONDS);
	}

	/**
	 * The backend cannot keep the lock after release by itself: keep renewing here, and release when the
	 * minimum hold time has passed (or at shutdown). A crash of this process frees it when its lease ends.
	 */
	private void holdInCore(long holdNanos) {
		LeaseRenewer renewer = this.template.renewer();
		LeaseRenewer.Renewal keepAlive = this.lease.requiresRenewal() ? renewer.schedule(this.template.getProvider(),
				this.lease, this.request.leaseTime(), System.nanoTime(), this.request.describe(), (reason) -> { }) : null;
		Runnable releaseNow = () -> {
			if (keepAlive != null) {
				keepAlive.cancel();
			}
			try {
				this.lease.release();
			}
			catch (Exception ex) {
				logger.warn("Could not release lock " + this.request.describe() + " after its minimum hold time; it frees"
						+ " itself when its lease ends: " + ex);
			}
		};
		this.template.holdUntil(releaseNow, holdNanos);
	}

	private void end(boolean lost) {
		if (lost) {
			// a listener hears of the loss before it hears of the end
			this.lostReactionsDone.whenComplete((ignored, error) -> runQuietly(this.listener::released, "lock listener"));
		}
		else {
			runQuietly(this.listener::released, "lock listener");
		}
		this.ended.countDown();
		this.onEnd.run();
	}

	private void stopRenewal() {
		LeaseRenewer.Renewal r = this.renewal;
		if (r != null) {
			r.cancel();
		}
	}

	static void runQuietly(Runnable action, String what) {
		try {
			action.run();
		}
		catch (Throwable ex) {
			logger.warn("A " + what + " failed; ignored: " + ex, ex);
		}
	}

	@Override
	public String toString() {
		return "LockHandle[" + this.request.describe() + ", token " + fencingToken() + ", "
				+ switch (this.state.get()) {
					case HELD -> "held";
					case LOST -> "lost";
					default -> "released";
				} + "]";
	}
}
