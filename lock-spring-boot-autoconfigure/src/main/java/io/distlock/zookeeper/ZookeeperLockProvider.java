package io.distlock.zookeeper;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.distlock.core.Durations;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.utils.PathUtils;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;

/**
 * Locks in ZooKeeper, through a Curator client: a fair queue of ephemeral-sequential nodes per lock.
 *
 * <p>Layout: {@code <base-path>/<prefix + name>/<key>/_c_<uuid>-lock-<sequence>} (names and keys
 * encoded by {@link ZnodeNames}). The lowest sequence holds the lock; every other acquirer watches only
 * the node just before its own (no polling, no herd). The two parent levels are container nodes, which
 * the server deletes once they are empty, so finished locks leave nothing behind.
 *
 * <p>Semantics:
 * <ul>
 * <li><b>Not re-entrant, not thread-bound</b> here: each {@link #acquire} creates its own node and the
 * returned lease, not the thread, owns it; {@code release()} may come from any thread. Re-entry and
 * local queueing are the core's.</li>
 * <li><b>Fencing token</b> = the lock node's creation zxid ({@code czxid}). Every write of an ensemble
 * gets a larger zxid than all before it, across sessions, leader elections and restarts, and a later
 * holder's node was always created after the earlier holder's node, so tokens strictly increase.</li>
 * <li><b>Lease = session.</b> The node is ephemeral: it lives as long as the client's session, and the
 * lease time of a request is ignored. A crashed holder's lock frees itself when the server expires its
 * session (the session timeout).</li>
 * <li><b>SUSPENDED</b> (connection interrupted): the lock is kept. Most interruptions (a server restart,
 * a leader election, a network blip) end within the session, and then the node, and the lock, are still
 * there. <b>LOST</b> (the server expired the session, or Curator gave up after the connection stayed
 * away for a whole session timeout): every lock of this client is reported lost to the core
 * ({@code isHeld()} false, WARN). Between a server-side expiry and the client's LOST there is a window
 * in which a partitioned holder still believes it holds: fence writes with the token.</li>
 * </ul>
 */
public class ZookeeperLockProvider implements LockProvider, AutoCloseable {

	private static final Log logger = LogFactory.getLog(ZookeeperLockProvider.class);

	static final String LOCK_NODE = "lock-";

	private static final byte[] NO_DATA = new byte[0];

	/** Creates tried again when a parent container is reaped under our feet (rare: it must be empty). */
	private static final int PARENT_RACE_RETRIES = 3;

	private final CuratorFramework client;

	private final String basePath;

	private final HeldLeases held = new HeldLeases();

	/**
	 * Creates a provider on a client that the caller starts and closes.
	 * @param client a Curator client, started before the first acquire
	 * @param basePath the absolute znode under which locks are kept, such as {@code /distributed-lock}
	 * @throws IllegalArgumentException if {@code basePath} is not a valid absolute znode path
	 */
	public ZookeeperLockProvider(CuratorFramework client, String basePath) {
		this.client = client;
		this.basePath = validateBasePath(basePath);
		client.getConnectionStateListenable().addListener(this.held);
	}

	/**
	 * Returns {@code basePath} without a trailing slash.
	 * @throws IllegalArgumentException saying what is wrong with it
	 */
	public static String validateBasePath(String basePath) {
		if (basePath == null || basePath.isEmpty()) {
			throw new IllegalArgumentException("the base path must not be empty; use an absolute znode path such as /distributed-lock");
		}
		String path = (basePath.length() > 1 && basePath.endsWith("/")) ? basePath.substring(0, basePath.length() - 1) : basePath;
		PathUtils.validatePath(path);
		return path;
	}

	@Override
	public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
		String queue = ZnodeNames.queuePath(this.basePath, request.storageName(), request.key());
		long deadline = Durations.deadlineAfter(request.waitTime());
		long stamp = this.held.stamp();
		long sentAt = System.nanoTime();
		CompletableFuture<CuratorEvent> created = sendCreate(queue, request);
		String ourPath = null;
		boolean acquired = false;
		try {
			// ZooKeeper answers one session's requests in the order they were sent, so this listing, sent
			// right behind the create, already contains our node: one round trip saved per acquisition
			List<String> firstLook = listQuietly(queue);
			CuratorEvent event = awaitCreated(created, queue, request);
			for (int retry = 0; resultOf(event) == KeeperException.Code.NONODE && retry < PARENT_RACE_RETRIES; retry++) {
				// the server reaped an empty parent container just as Curator recreated the path: again
				firstLook = null;
				created = sendCreate(queue, request);
				event = awaitCreated(created, queue, request);
			}
			if (resultOf(event) != KeeperException.Code.OK) {
				throw KeeperException.create(resultOf(event), queue);
			}
			ourPath = event.getName();
			acquired = awaitTurn(queue, ZKPaths.getNodeFromPath(ourPath), firstLook, deadline, request);
			if (!acquired) {
				return Optional.empty();
			}
			ZookeeperLockLease lease = new ZookeeperLockLease(this, this.client, ourPath, czxid(event, ourPath), sentAt);
			if (!this.held.add(lease, stamp)) {
				// the node may belong to a session that has just ended: do not hand out a doomed lock
				acquired = false;
				throw new IllegalStateException("ZooKeeper session was lost while acquiring lock " + request.describe());
			}
			return Optional.of(lease);
		}
		catch (InterruptedException | RuntimeException ex) {
			acquired = false;
			throw ex;
		}
		catch (Exception ex) {
			acquired = false;
			throw new IllegalStateException("Could not acquire ZooKeeper lock " + request.describe() + " at " + queue + ": " + ex, ex);
		}
		finally {
			if (!acquired) {
				if (ourPath != null) {
					deleteInBackground(ourPath);
				}
				else {
					// the create may still complete (Curator retries it): delete the node whenever it does
					created.thenAccept((event) -> {
						if (resultOf(event) == KeeperException.Code.OK) {
							deleteInBackground(event.getName());
						}
					});
				}
			}
		}
	}

	/**
	 * Sends the create of our lock node without waiting for it. Protected mode puts a unique id into the
	 * name, so Curator can find our node after a connection loss, and our deletes can never hit another
	 * holder's node. Missing parents are created as containers.
	 */
	private CompletableFuture<CuratorEvent> sendCreate(String queue, LockRequest request) {
		CompletableFuture<CuratorEvent> created = new CompletableFuture<>();
		try {
			this.client.create()
				.storingStatIn(new Stat())
				.creatingParentContainersIfNeeded()
				.withProtection()
				.withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
				.inBackground((c, event) -> created.complete(event))
				.forPath(queue + "/" + LOCK_NODE, NO_DATA);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not create a ZooKeeper lock node for " + request.describe() + " under " + queue + ": " + ex, ex);
		}
		return created;
	}

	private List<String> listQuietly(String queue) throws Exception {
		try {
			return this.client.getChildren().forPath(queue);
		}
		catch (KeeperException.NoNodeException ex) {
			return null; // the create is making the parents first
		}
	}

	private CuratorEvent awaitCreated(CompletableFuture<CuratorEvent> created, String queue, LockRequest request) throws Exception {
		// Curator retries a create for up to its connection timeout per attempt; its callback always comes
		CuratorEvent event;
		try {
			event = created.get(createTimeoutMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("ZooKeeper did not confirm the lock node for " + request.describe() + " under " + queue
					+ " in time (connection lost?)");
		}
		return event;
	}

	private static KeeperException.Code resultOf(CuratorEvent event) {
		return KeeperException.Code.get(event.getResultCode());
	}

	private long createTimeoutMillis() {
		return 2L * Math.max(this.client.getZookeeperClient().getConnectionTimeoutMs(), this.client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs());
	}

	private long czxid(CuratorEvent event, String ourPath) throws Exception {
		Stat stat = event.getStat();
		if (stat != null && stat.getCzxid() != 0) {
			return stat.getCzxid();
		}
		// protected mode recovered our node after a connection loss: its stat was not part of the answer
		Stat found = this.client.checkExists().forPath(ourPath);
		if (found == null) {
			throw new IllegalStateException("lock node " + ourPath + " disappeared (ZooKeeper session expired?)");
		}
		return found.getCzxid();
	}

	/**
	 * Waits until our node is the first of the queue. Watches only the node just before ours and looks
	 * again whenever it changes or the connection does.
	 * @param firstLook the queue as listed right after our create, or {@code null}
	 * @return {@code true} when ours is first, {@code false} when the deadline passed first
	 */
	private boolean awaitTurn(String queue, String ourNode, List<String> firstLook, long deadline, LockRequest request) throws Exception {
		long ourSequence = ZnodeNames.sequence(ourNode);
		List<String> children = (firstLook != null && firstLook.contains(ourNode)) ? firstLook : null;
		while (true) {
			if (children == null) {
				children = this.client.getChildren().forPath(queue);
			}
			String predecessor = null;
			long predecessorSequence = -1;
			boolean present = false;
			for (String child : children) {
				long sequence = ZnodeNames.sequence(child);
				if (child.equals(ourNode)) {
					present = true;
				}
				else if (sequence >= 0 && sequence < ourSequence && sequence > predecessorSequence) {
					predecessor = child;
					predecessorSequence = sequence;
				}
			}
			children = null;
			if (!present) {
				throw new IllegalStateException("lock node " + queue + "/" + ourNode + " disappeared while waiting for lock "
						+ request.describe() + " (ZooKeeper session expired?)");
			}
			if (predecessor == null) {
				return true;
			}
			long remaining = Durations.remainingNanos(deadline);
			if (remaining <= 0) {
				return false;
			}
			CountDownLatch changed = new CountDownLatch(1);
			Watcher watcher = (event) -> changed.countDown();
			try {
				this.client.getData().usingWatcher(watcher).forPath(queue + "/" + predecessor);
			}
			catch (KeeperException.NoNodeException ex) {
				continue; // gone already: look again
			}
			changed.await(remaining, TimeUnit.NANOSECONDS);
		}
	}

	private void deleteInBackground(String path) {
		try {
			// in the background: the acquiring thread may be interrupted; guaranteed: retried after a reconnect
			this.client.delete().quietly().guaranteed().inBackground().forPath(path);
		}
		catch (Exception ex) {
			logger.warn("Could not delete abandoned lock node " + path + "; it goes when the session ends: " + ex);
		}
	}

	void forget(ZookeeperLockLease lease) {
		this.held.remove(lease);
	}

	/** Returns the absolute znode under which locks are kept. */
	public String getBasePath() {
		return this.basePath;
	}

	@Override
	public String backendName() {
		return "zookeeper";
	}

	/** Stops listening to the client's connection; the client itself is closed by whoever started it. */
	@Override
	public void close() {
		this.client.getConnectionStateListenable().removeListener(this.held);
	}
}
