package io.distlock.zookeeper;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

/**
 * The locks one client holds, and what its connection states mean for them. SUSPENDED keeps them (the
 * session, and with it every ephemeral lock node, usually survives the interruption); LOST reports each
 * of them lost, once.
 */
final class HeldLeases implements ConnectionStateListener {

	private static final Log logger = LogFactory.getLog(ZookeeperLockProvider.class);

	private final Set<ZookeeperLockLease> held = ConcurrentHashMap.newKeySet();

	/** Incremented on every session loss before the held locks are told, so a racing acquire notices it. */
	private final AtomicLong losses = new AtomicLong();

	/** Returns a stamp to pass to {@link #add} once the lock is acquired. */
	long stamp() {
		return this.losses.get();
	}

	/**
	 * Tracks a newly acquired lease.
	 * @return {@code false} (and tracks nothing) if the session was lost since {@code stamp}: the lock
	 * node may belong to the session that ended
	 */
	boolean add(ZookeeperLockLease lease, long stamp) {
		this.held.add(lease);
		if (this.losses.get() != stamp) {
			this.held.remove(lease);
			return false;
		}
		return true;
	}

	void remove(ZookeeperLockLease lease) {
		this.held.remove(lease);
	}

	@Override
	public void stateChanged(CuratorFramework client, ConnectionState state) {
		if (state == ConnectionState.LOST) {
			this.losses.incrementAndGet();
			for (ZookeeperLockLease lease : this.held) {
				this.held.remove(lease);
				lease.lost("the ZooKeeper session was lost (expired, or disconnected for longer than the session timeout)");
			}
		}
		else if (state == ConnectionState.SUSPENDED && !this.held.isEmpty()) {
			logger.info("ZooKeeper connection suspended while holding " + this.held.size()
					+ " lock(s); they are kept unless the session is lost");
		}
	}
}
