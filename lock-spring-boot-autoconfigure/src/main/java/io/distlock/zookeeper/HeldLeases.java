package io.distlock.zookeeper;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.jspecify.annotations.Nullable;

/**
 * The locks one client holds, and when its connection states mean they are lost.
 *
 * <p>ZooKeeper's client notices a silent connection after 2/3 of the negotiated session timeout
 * ({@code SUSPENDED}), while the ensemble expires the session one session timeout after it last heard
 * from the client, and may then give the lock to someone else. Curator reports {@code LOST} only much
 * later (a whole session timeout after {@code SUSPENDED}, by its {@code simulatedSessionExpirationPercent}
 * of 100). So a lock is reported lost once the connection has stayed {@code SUSPENDED} for
 * {@code gracePercent} of the negotiated session timeout: at about {@code 2/3 + gracePercent/100} of it
 * after the client last heard from the ensemble, before the ensemble can have expired the session (at 1).
 * A reconnection within the grace keeps every lock: a server restart, a leader election or a short
 * network blip costs nothing. {@code LOST} reports every lock at once.
 *
 * <p>This is Curator's {@code StandardConnectionStateErrorPolicy} (SUSPENDED is an error) with a grace
 * period, applied to our locks only: the session itself is left alone, so locks acquired after a
 * reconnection within the same session are fine.
 */
final class HeldLeases implements ConnectionStateListener {

	private static final Log logger = LogFactory.getLog(ZookeeperLockProvider.class);

	private final ScheduledExecutorService timer;

	private final int gracePercent;

	private final Set<ZookeeperLockLease> held = new HashSet<>(); // guarded by this

	/** The session of the last (re)connection, as far as this listener has heard. */
	private long connectedSession; // guarded by this

	/** The last sessions reported LOST: a lock node of one of them is gone, or about to go. */
	private final Set<Long> lostSessions = new LinkedHashSet<>(); // guarded by this

	/** Whether this suspension has lasted beyond the grace: no lock of the suspended session can be trusted. */
	private boolean graceOver; // guarded by this

	private @Nullable ScheduledFuture<?> pendingLoss; // guarded by this

	private long suspendedAtNanos; // guarded by this

	/** Raised on every reconnection, so a grace timer that fires just after one does nothing. */
	private long connections; // guarded by this

	private volatile @Nullable ConnectionState state;

	HeldLeases(ScheduledExecutorService timer, int gracePercent) {
		this.timer = timer;
		this.gracePercent = gracePercent;
	}

	/** Starts listening to {@code client}, which may be connected already (then no CONNECTED event comes). */
	void listenTo(CuratorFramework client) {
		client.getConnectionStateListenable().addListener(this);
		if (client.getZookeeperClient().isConnected()) {
			synchronized (this) {
				if (this.state == null) {
					this.state = ConnectionState.CONNECTED;
					this.connectedSession = sessionOf(client);
				}
			}
		}
	}

	/**
	 * Tracks a newly acquired lease whose node belongs to session {@code ownerSession}. Tracking and loss
	 * reports exclude each other, so a loss reported while the acquisition was under way is not missed.
	 * @return {@code false} (and tracks nothing) if that session was reported lost already, or its
	 * connection is suspended beyond the grace: the lock cannot be trusted. A node of a newer session
	 * (whose connection this listener has not heard of yet) is fine.
	 */
	synchronized boolean add(ZookeeperLockLease lease, long ownerSession) {
		if (this.lostSessions.contains(ownerSession) || (this.graceOver && ownerSession == this.connectedSession)) {
			return false;
		}
		this.held.add(lease);
		return true;
	}

	synchronized void remove(ZookeeperLockLease lease) {
		this.held.remove(lease);
	}

	synchronized int size() {
		return this.held.size();
	}

	/** Returns the last connection state reported, or {@code null} before the first. */
	@Nullable ConnectionState state() {
		return this.state;
	}

	@Override
	public void stateChanged(CuratorFramework client, ConnectionState newState) {
		this.state = newState;
		switch (newState) {
			case SUSPENDED, READ_ONLY -> suspended(client);
			case CONNECTED, RECONNECTED -> resumed(sessionOf(client));
			case LOST -> lose(-1, "the ZooKeeper session was lost (expired, or disconnected for longer than the session timeout)");
		}
	}

	private synchronized void suspended(CuratorFramework client) {
		if (this.pendingLoss != null) {
			return; // suspended already (READ_ONLY after SUSPENDED)
		}
		this.suspendedAtNanos = System.nanoTime();
		int sessionTimeout = client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
		long graceMillis = (long) sessionTimeout * this.gracePercent / 100;
		String reason = "the ZooKeeper connection stayed SUSPENDED for " + graceMillis + "ms (" + this.gracePercent
				+ "% of the negotiated session timeout of " + sessionTimeout + "ms); the ensemble may expire the session and "
				+ "give the lock to another instance about " + (sessionTimeout / 3 - graceMillis) + "ms from now";
		if (!this.held.isEmpty()) {
			logger.info("ZooKeeper connection suspended while holding " + this.held.size() + " lock(s); they are reported lost in "
					+ graceMillis + "ms unless it reconnects first");
		}
		long connection = this.connections;
		this.pendingLoss = this.timer.schedule(() -> lose(connection, reason), graceMillis, TimeUnit.MILLISECONDS);
	}

	private static long sessionOf(CuratorFramework client) {
		try {
			return client.getZookeeperClient().getZooKeeper().getSessionId();
		}
		catch (Exception ex) {
			return 0;
		}
	}

	private synchronized void resumed(long session) {
		this.connectedSession = session;
		this.connections++;
		this.graceOver = false;
		if (this.pendingLoss == null) {
			return;
		}
		boolean kept = this.pendingLoss.cancel(false);
		this.pendingLoss = null;
		if (kept && !this.held.isEmpty()) {
			logger.info("ZooKeeper connection back after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.suspendedAtNanos)
					+ "ms: " + this.held.size() + " lock(s) kept");
		}
	}

	/**
	 * Reports every held lock lost: for a lost session ({@code connection} -1), or at the end of the grace
	 * of the suspension that began during {@code connection}. Runs on the timer or Curator's event thread.
	 */
	private void lose(long connection, String reason) {
		List<ZookeeperLockLease> lost;
		synchronized (this) {
			if (connection < 0) {
				this.lostSessions.add(this.connectedSession);
				if (this.lostSessions.size() > 16) {
					this.lostSessions.remove(this.lostSessions.iterator().next());
				}
			}
			else if (connection == this.connections) {
				this.graceOver = true;
			}
			else {
				return; // reconnected just in time
			}
			lost = new ArrayList<>(this.held);
			this.held.clear();
		}
		for (ZookeeperLockLease lease : lost) {
			lease.lost(reason);
		}
	}
}
