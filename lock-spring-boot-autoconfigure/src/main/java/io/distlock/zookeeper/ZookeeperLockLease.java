package io.distlock.zookeeper;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.distlock.core.LockLease;
import org.apache.curator.framework.CuratorFramework;

/**
 * One held ZooKeeper lock: the ephemeral-sequential node this acquisition created. The lease is the
 * client's session, so nothing is renewed; the provider calls {@link #lost(String)} when the session
 * is lost.
 *
 * <p>The node's path contains a unique id (Curator's protected mode), so deleting it can never remove
 * another holder's node, even after the lock's queue znode was reaped and created again.
 */
final class ZookeeperLockLease implements LockLease {

	private final ZookeeperLockProvider provider;

	private final CuratorFramework client;

	private final String path;

	private final long czxid;

	private final long acquiredAtNanos;

	private final AtomicBoolean released = new AtomicBoolean();

	private String lostReason; // guarded by this

	private Consumer<String> onLost; // guarded by this

	ZookeeperLockLease(ZookeeperLockProvider provider, CuratorFramework client, String path, long czxid, long acquiredAtNanos) {
		this.provider = provider;
		this.client = client;
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

	/** Confirms the lock is still ours (its node exists and the session was not lost); extends nothing. */
	@Override
	public boolean renew(Duration leaseTime) throws Exception {
		return !this.released.get() && !isLost() && this.client.checkExists().forPath(this.path) != null;
	}

	/**
	 * Deletes this acquisition's node. Idempotent; after a session loss the node is usually gone already,
	 * and if the old session still lingers on the server, deleting our own node only frees the lock sooner.
	 * A delete that fails for connection trouble is retried by Curator once the connection is back
	 * (guaranteed delete) and, failing that, the node goes with the session.
	 */
	@Override
	public void release() throws Exception {
		if (this.released.compareAndSet(false, true)) {
			this.provider.forget(this);
			this.client.delete().quietly().guaranteed().forPath(this.path);
		}
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

	synchronized boolean isLost() {
		return this.lostReason != null;
	}

	String path() {
		return this.path;
	}
}
