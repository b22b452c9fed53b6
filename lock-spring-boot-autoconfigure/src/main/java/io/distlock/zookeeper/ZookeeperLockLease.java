package io.distlock.zookeeper;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.distlock.core.LockLease;
import org.jspecify.annotations.Nullable;

/**
 * One held ZooKeeper lock: the ephemeral-sequential node this acquisition created. The lease is the
 * client's session, so nothing is renewed; the provider calls {@link #lost(String)} when the session is
 * lost or the connection has been suspended too long to trust it.
 *
 * <p>The node's path contains a unique id (Curator's protected mode), so deleting it can never remove
 * another holder's node, even after the lock's queue znode was reaped and created again.
 */
final class ZookeeperLockLease implements LockLease {

	private final ZookeeperLockProvider provider;

	private final String path;

	private final long czxid;

	private final long acquiredAtNanos;

	private final AtomicBoolean released = new AtomicBoolean();

	private @Nullable String lostReason; // guarded by this

	private @Nullable Consumer<String> onLost; // guarded by this

	private NodeWatches.@Nullable Watch watch; // guarded by this

	ZookeeperLockLease(ZookeeperLockProvider provider, String path, long czxid, long acquiredAtNanos) {
		this.provider = provider;
		this.path = path;
		this.czxid = czxid;
		this.acquiredAtNanos = acquiredAtNanos;
	}

	/** The lock node's creation zxid: ZooKeeper orders every write of the ensemble by zxid, across restarts. */
	@Override
	public long fencingToken() {
		return this.czxid;
	}

	@Override
	public long acquiredAtNanos() {
		return this.acquiredAtNanos;
	}

	/** The session is the lease: nothing to renew. */
	@Override
	public boolean requiresRenewal() {
		return false;
	}

	/** Confirms the lock is still ours (its node exists and no loss was reported); extends nothing. */
	@Override
	public boolean renew(Duration leaseTime) throws Exception {
		return !this.released.get() && !isLost() && this.provider.exists(this.path);
	}

	/**
	 * Deletes this acquisition's node without waiting for the answer. The lock is free for others as soon
	 * as the server applies the delete; this client's later requests (its next acquisition of the same lock
	 * included) are applied after it, because ZooKeeper applies one session's requests in order. A delete
	 * that fails for connection trouble is retried by Curator once the connection is back, and failing
	 * that the node goes with the session. Idempotent; after a lost session the node is gone already.
	 */
	@Override
	public void release() {
		if (this.released.compareAndSet(false, true)) {
			this.provider.release(this, Duration.ZERO);
		}
	}

	/**
	 * Keeps the node, and with it the lock, for {@code holdFor} more and deletes it then (a delayed delete
	 * by this process's clock). If this process dies or its session ends first, the node goes with the
	 * session: the hold then ends when the ensemble expires the session (up to the session timeout after
	 * a crash), which may be earlier than {@code holdFor}. Nothing renews a ZooKeeper lock, so no late
	 * renewal can extend the hold.
	 */
	@Override
	public boolean releaseAfter(Duration holdFor) {
		if (holdFor.isNegative() || holdFor.isZero()) {
			release();
		}
		else if (this.released.compareAndSet(false, true)) {
			this.provider.release(this, holdFor);
		}
		return true;
	}

	@Override
	public void onLost(Consumer<String> callback) {
		String reason;
		synchronized (this) {
			reason = this.lostReason;
			if (reason == null) {
				this.onLost = callback;
				return;
			}
		}
		callback.accept(reason);
	}

	/** Marks the lease lost and tells the core, at most once. */
	void lost(String reason) {
		Consumer<String> callback;
		synchronized (this) {
			if (this.lostReason != null) {
				return;
			}
			this.lostReason = reason;
			callback = this.onLost;
		}
		if (callback != null) {
			callback.accept(reason);
		}
	}

	/**
	 * Attaches the watch on this lease's own node ({@code null}: just asks).
	 * @return {@code false} if this lease was released already
	 */
	synchronized boolean watchedBy(NodeWatches.@Nullable Watch ownNode) {
		if (this.released.get()) {
			return false;
		}
		if (ownNode != null) {
			this.watch = ownNode;
		}
		return true;
	}

	/** Returns the watch on this lease's own node, if any, and forgets it; call once released. */
	synchronized NodeWatches.@Nullable Watch releaseWatch() {
		NodeWatches.Watch attached = this.watch;
		this.watch = null;
		return attached;
	}

	synchronized boolean isLost() {
		return this.lostReason != null;
	}

	String path() {
		return this.path;
	}
}
