package io.distlock.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The core's handle of one acquisition: ties a backend's {@link LockLease} to its renewal, its place
 * in the local wait queue and its life-cycle state. Not a public type: users see {@link LockHandle}.
 */
final class ManagedLockHandle {

	private static final Log logger = LogFactory.getLog(LockHandle.class);

	private static final int HELD = 0;

	private static final int LOST = 1;

	private static final int RELEASED = 2;

	private final LockRequest request;

	private final LockLease lease;

	private final LocalWaitQueue.Permit permit;

	private final LockEventListener listener;

	private final long heldSinceNanos = System.nanoTime();

	private final AtomicInteger state = new AtomicInteger(HELD);

	private volatile LeaseRenewer.Renewal renewal;

	private volatile Runnable onRelease = () -> {
	};

	ManagedLockHandle(LockRequest request, LockLease lease, LocalWaitQueue.Permit permit, LockEventListener listener) {
		this.request = request;
		this.lease = lease;
		this.permit = permit;
		this.listener = listener;
	}

	void startRenewal(LeaseRenewer renewer) {
		Consumer<String> lost = this::markLost;
		if (this.lease.requiresRenewal()) {
			this.renewal = renewer.schedule(this.lease, this.request.leaseTime(), this.lease.acquiredAtNanos(), lost);
		}
		this.lease.onLost(lost);
	}

	void onRelease(Runnable action) {
		this.onRelease = action;
	}

	LockRequest request() {
		return this.request;
	}

	long fencingToken() {
		return this.lease.fencingToken();
	}

	boolean isHeld() {
		return this.state.get() == HELD;
	}

	void markLost(String reason) {
		if (this.state.compareAndSet(HELD, LOST)) {
			stopRenewal();
			logger.warn("Lost lock " + this.request.describe() + " (fencing token " + fencingToken() + "): " + reason
					+ ". The protected code may now run elsewhere; writes should be fenced with the token.");
			this.listener.lost(this.request.name(), this.request.key(), fencingToken(), reason);
			// the lock is gone anyway: let the next local waiter try the backend
			this.permit.release();
		}
	}

	void release() {
		int previous = this.state.getAndSet(RELEASED);
		if (previous == RELEASED) {
			return;
		}
		stopRenewal();
		try {
			this.lease.release();
		}
		catch (Exception ex) {
			logger.warn("Could not release lock " + this.request.describe() + " (fencing token " + fencingToken()
					+ "); it frees itself when its lease ends: " + ex);
		}
		finally {
			this.permit.release();
			this.onRelease.run();
			this.listener.released(this.request.name(), this.request.key(),
					Duration.ofNanos(System.nanoTime() - this.heldSinceNanos));
		}
	}

	private void stopRenewal() {
		LeaseRenewer.Renewal r = this.renewal;
		if (r != null) {
			r.cancel();
		}
	}
}
