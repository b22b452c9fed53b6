package io.distlock.zookeeper;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.distlock.core.Durations;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import org.apache.curator.CuratorZookeeperClient;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.PathUtils;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * Locks in ZooKeeper, through a Curator client: a FIFO queue of ephemeral-sequential nodes per lock.
 *
 * <p>Layout: {@code <base-path>/<prefix + name>/<key>/_c_<uuid>-lock-<sequence>} (names and keys
 * encoded by {@link ZnodeNames}). The first node of the queue holds the lock; every other acquirer
 * watches only the node just before its own (no polling, no herd). The two parent levels are container
 * nodes, which the server deletes once they are empty, so finished locks leave nothing behind.
 *
 * <p>Semantics:
 * <ul>
 * <li><b>Not re-entrant, not thread-bound</b> here: each {@link #acquire} creates its own node and the
 * returned lease, not the thread, owns it; {@code release()} may come from any thread. Re-entry and
 * local queueing are the core's.</li>
 * <li><b>Fair</b>: acquirers of every instance get the lock in the order in which their nodes were
 * created, which is the order in which their acquisitions reached the ensemble.</li>
 * <li><b>Fencing token</b> = the lock node's creation zxid ({@code czxid}). Every write of an ensemble
 * gets a larger zxid than all before it, across sessions, leader elections and restarts, and a later
 * holder's node was always created after the earlier holder's node, so tokens strictly increase.</li>
 * <li><b>Lease = session.</b> The node is ephemeral: it lives as long as the client's session, and the
 * lease time of a request does not apply. A crashed holder's lock frees itself when the ensemble
 * expires its session (the session timeout).</li>
 * <li><b>Loss</b>: {@code LOST} (the session ended), or a connection that stayed {@code SUSPENDED} for
 * {@code suspendedGracePercent} of the negotiated session timeout, reports every lock of this client lost
 * ({@code isHeld()} false, WARN) before the ensemble can have expired the session; a shorter
 * interruption keeps them (see {@link HeldLeases}).</li>
 * <li><b>Bounded calls</b>: an acquisition returns within its wait time plus {@code operationTimeout}
 * even when the ensemble is unreachable; a release never waits for the server (the delete is sent in the
 * background, and this client's later requests are applied after it).</li>
 * </ul>
 */
public class ZookeeperLockProvider implements LockProvider, AutoCloseable {

	/** Default share of the negotiated session timeout that a SUSPENDED connection keeps its locks. */
	public static final int DEFAULT_SUSPENDED_GRACE_PERCENT = 10;

	/**
	 * Largest accepted grace. The client notices a silent connection after 2/3 of the session timeout and
	 * the ensemble may expire the session at 3/3: a grace near 1/3 would report the loss too late.
	 */
	public static final int MAX_SUSPENDED_GRACE_PERCENT = 25;

	/** Default of how long a call may wait for ZooKeeper's answers beyond the caller's wait time. */
	public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(2);

	static final String LOCK_NODE = "lock-";

	private static final byte[] NO_DATA = new byte[0];

	/** Creates tried again when a parent container is reaped under our feet (rare: it must be empty). */
	private static final int PARENT_RACE_RETRIES = 3;

	private final CuratorFramework client;

	private final String basePath;

	private final int suspendedGracePercent;

	private final long operationTimeoutNanos;

	private final ScheduledThreadPoolExecutor timer;

	private final HeldLeases held;

	private final NodeWatches watches;

	private final NodeDeletes deletes;

	private final HeldNodeWatcher heldNodes;


	/**
	 * Creates a provider on a client that the caller starts and closes, with the default grace and
	 * operation timeout.
	 * @see #ZookeeperLockProvider(CuratorFramework, String, int, Duration)
	 */
	public ZookeeperLockProvider(CuratorFramework client, String basePath) {
		this(client, basePath, DEFAULT_SUSPENDED_GRACE_PERCENT, DEFAULT_OPERATION_TIMEOUT);
	}

	/**
	 * Creates a provider on a client that the caller starts and closes.
	 * @param client a Curator client, started before the first acquire
	 * @param basePath the absolute znode under which locks are kept, such as {@code /distributed-lock}
	 * @param suspendedGracePercent how long a SUSPENDED connection keeps its locks before they are
	 * reported lost, in percent of the negotiated session timeout, from 0 to
	 * {@value #MAX_SUSPENDED_GRACE_PERCENT}
	 * @param operationTimeout how long a call waits for ZooKeeper's answers beyond the caller's wait time
	 * @throws IllegalArgumentException if an argument is out of range, saying which
	 */
	public ZookeeperLockProvider(CuratorFramework client, String basePath, int suspendedGracePercent, Duration operationTimeout) {
		this.client = client;
		this.basePath = validateBasePath(basePath);
		this.suspendedGracePercent = validateSuspendedGracePercent(suspendedGracePercent);
		if (operationTimeout == null || operationTimeout.isNegative() || operationTimeout.isZero()) {
			throw new IllegalArgumentException("the operation timeout must be positive, was " + operationTimeout);
		}
		this.operationTimeoutNanos = Durations.saturatedNanos(operationTimeout);
		this.timer = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "distributed-lock-zookeeper");
			thread.setDaemon(true);
			return thread;
		});
		this.timer.setRemoveOnCancelPolicy(true);
		this.held = new HeldLeases(this.timer, this.suspendedGracePercent);
		this.watches = NodeWatches.of(client);
		this.deletes = new NodeDeletes(client, this.timer);
		this.heldNodes = new HeldNodeWatcher(client, this.watches, this.held, this.timer);
		this.held.listenTo(client);
	}

	/**
	 * Returns {@code basePath} without a trailing slash.
	 * @throws IllegalArgumentException saying what is wrong with it (also when it is {@code null})
	 */
	public static String validateBasePath(@Nullable String basePath) {
		if (basePath == null || basePath.isEmpty()) {
			throw new IllegalArgumentException("the base path must not be empty; use an absolute znode path such as /distributed-lock");
		}
		String path = (basePath.length() > 1 && basePath.endsWith("/")) ? basePath.substring(0, basePath.length() - 1) : basePath;
		PathUtils.validatePath(path);
		return path;
	}

	/**
	 * Returns {@code percent} if it is a valid grace.
	 * @throws IllegalArgumentException saying the accepted range and why
	 */
	public static int validateSuspendedGracePercent(int percent) {
		if (percent < 0 || percent > MAX_SUSPENDED_GRACE_PERCENT) {
			throw new IllegalArgumentException("must be between 0 and " + MAX_SUSPENDED_GRACE_PERCENT + " (percent of the session timeout): "
					+ "the client notices a lost connection after 2/3 of the session timeout and the ensemble may expire the "
					+ "session at its end, so a longer grace would report a lost lock after another instance could have taken it");
		}
		return percent;
	}

	/**
	 * Acquires the lock within the request's wait time. The request's lease time does not apply: the
	 * lease is the client's session. Returns within the wait time plus the operation timeout, also when
	 * the ensemble cannot be reached (then it throws), and leaves no node behind when it fails.
	 */
	@Override
	public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
		String queue = ZnodeNames.queuePath(this.basePath, request.storageName(), request.key());
		long deadline = Durations.deadlineAfter(request.waitTime());
		long answerDeadline = deadline + this.operationTimeoutNanos;
		long sentAt = System.nanoTime();
		CompletableFuture<CuratorEvent> created = sendCreate(queue);
		// sent right behind the create: ZooKeeper answers one session's requests in order, so this listing
		// already contains our node, and the create and our position in the queue cost one round trip
		CompletableFuture<CuratorEvent> firstLook = list(queue);
		String ourPath = null;
		boolean acquired = false;
		try {
			CuratorEvent event = CuratorCalls.await(created, answerDeadline, () -> "the create of a lock node for " + request.describe());
			for (int retry = 0; CuratorCalls.resultOf(event) == KeeperException.Code.NONODE && retry < PARENT_RACE_RETRIES; retry++) {
				// the server reaped an empty parent container just as Curator recreated the path: again
				firstLook = null;
				created = sendCreate(queue);
				event = CuratorCalls.await(created, answerDeadline, () -> "the create of a lock node for " + request.describe());
			}
			ourPath = CuratorCalls.ok(event).getName();
			acquired = awaitTurn(queue, ZKPaths.getNodeFromPath(ourPath), firstLook, deadline, answerDeadline, request);
			if (!acquired) {
				return Optional.empty();
			}
			Stat node = nodeStat(event, ourPath, answerDeadline);
			ZookeeperLockLease lease = new ZookeeperLockLease(this, ourPath, node.getCzxid(), sentAt);
			if (!this.held.add(lease, node.getEphemeralOwner())) {
				// the node may belong to a session that has just ended: do not hand out a doomed lock
				acquired = false;
				throw new IllegalStateException("the ZooKeeper session was lost, or the connection suspended too long, while acquiring");
			}
			this.heldNodes.acquired(lease);
			return Optional.of(lease);
		}
		catch (InterruptedException ex) {
			acquired = false;
			throw ex;
		}
		catch (Exception ex) {
			acquired = false;
			throw new IllegalStateException("Could not acquire ZooKeeper lock " + request.describe() + " at " + queue + ": " + ex.getMessage(), ex);
		}
		finally {
			if (!acquired) {
				abandon(created, ourPath);
			}
		}
	}

	/**
	 * Sends the create of our lock node without waiting for it. Protected mode puts a unique id into the
	 * name, so Curator can find our node after a connection loss (and deletes it if it gives up), and our
	 * deletes can never hit another holder's node. Missing parents are created as containers.
	 */
	private CompletableFuture<CuratorEvent> sendCreate(String queue) {
		return CuratorCalls.send((callback) -> this.client.create()
			.storingStatIn(new Stat())
			.creatingParentContainersIfNeeded()
			.withProtection()
			.withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
			.inBackground(callback)
			.forPath(queue + "/" + LOCK_NODE, NO_DATA));
	}

	private CompletableFuture<CuratorEvent> list(String queue) {
		return CuratorCalls.send((callback) -> this.client.getChildren().inBackground(callback).forPath(queue));
	}

	/** Deletes what a failed acquisition created, whenever its create completes. */
	private void abandon(CompletableFuture<CuratorEvent> created, @Nullable String ourPath) {
		if (ourPath != null) {
			this.deletes.now(ourPath, "abandoned acquisition");
			return;
		}
		// the create may still complete (Curator retries it): delete the node whenever it does
		created.thenAccept((event) -> {
			if (CuratorCalls.resultOf(event) == KeeperException.Code.OK) {
				this.deletes.now(event.getName(), "abandoned acquisition");
			}
		});
	}

	/** Returns our node's stat: its creation zxid is the fencing token, its owner the session it lives in. */
	private Stat nodeStat(CuratorEvent event, String ourPath, long answerDeadline) throws Exception {
		Stat stat = event.getStat();
		if (stat != null && stat.getCzxid() != 0) {
			return stat;
		}
		// protected mode recovered our node after a connection loss: its stat was not part of the answer
		CuratorEvent found = CuratorCalls.await(CuratorCalls.send((callback) -> this.client.checkExists().inBackground(callback).forPath(ourPath)),
				answerDeadline, () -> "the lookup of lock node " + ourPath);
		if (found.getStat() == null) {
			throw new IllegalStateException("lock node " + ourPath + " disappeared (ZooKeeper session expired?)");
		}
		return found.getStat();
	}

	/**
	 * Waits until our node is the first of the queue. Watches only the node just before ours and looks
	 * again whenever it changes.
	 * @param firstLook the listing sent right after our create, or {@code null}
	 * @return {@code true} when ours is first, {@code false} when the deadline passed first
	 */
	private boolean awaitTurn(String queue, String ourNode, @Nullable CompletableFuture<CuratorEvent> firstLook, long deadline,
			long answerDeadline, LockRequest request) throws Exception {
		CompletableFuture<CuratorEvent> listing = firstLook;
		boolean first = true;
		while (true) {
			if (listing == null) {
				listing = list(queue);
			}
			CuratorEvent answer = CuratorCalls.await(listing, answerDeadline, () -> "the listing of the queue of lock " + request.describe());
			listing = null;
			List<String> children = (CuratorCalls.resultOf(answer) == KeeperException.Code.NONODE) ? List.of()
					: CuratorCalls.ok(answer).getChildren();
			if (!children.contains(ourNode)) {
				if (first) {
					first = false;
					continue; // listed before Curator had created the parents and our node: look again
				}
				throw new IllegalStateException("lock node " + queue + "/" + ourNode + " disappeared while waiting (ZooKeeper session expired?)");
			}
			first = false;
			String predecessor = QueueOrder.predecessor(children, ourNode);
			if (predecessor == null) {
				return true;
			}
			if (Durations.remainingNanos(deadline) <= 0) {
				return false;
			}
			NodeWatches.Watch watch = this.watches.watch(this.client, queue + "/" + predecessor);
			try {
				CuratorEvent armed = CuratorCalls.await(watch.armed(), answerDeadline, () -> "the watch on the lock node before ours");
				if (CuratorCalls.resultOf(armed) == KeeperException.Code.NONODE) {
					continue; // gone already: look again
				}
				CuratorCalls.ok(armed);
				if (!watch.await(deadline)) {
					return false; // it is still there: had it gone, the watch would have fired
				}
			}
			finally {
				this.watches.leave(this.client, watch);
			}
		}
	}

	/** Removes a released lease from loss tracking and deletes its node now or after {@code holdFor}. */
	void release(ZookeeperLockLease lease, Duration holdFor) {
		this.heldNodes.released(lease);
		this.held.remove(lease);
		if (holdFor.isZero() || holdFor.isNegative()) {
			this.deletes.now(lease.path(), "release");
		}
		else {
			this.deletes.after(lease.path(), holdFor, "release after the minimum hold time");
		}
	}

	/** Returns whether {@code path} exists, waiting at most the operation timeout. */
	boolean exists(String path) throws Exception {
		CuratorEvent answer = CuratorCalls.await(CuratorCalls.send((callback) -> this.client.checkExists().inBackground(callback).forPath(path)),
				Durations.deadlineAfter(Duration.ofNanos(this.operationTimeoutNanos)), () -> "the lookup of lock node " + path);
		return answer.getStat() != null;
	}

	/** Returns the absolute znode under which locks are kept. */
	public String getBasePath() {
		return this.basePath;
	}

	/** Returns how long a SUSPENDED connection keeps its locks, in percent of the negotiated session timeout. */
	public int getSuspendedGracePercent() {
		return this.suspendedGracePercent;
	}

	@Override
	public String backendName() {
		return "zookeeper";
	}

	/** {@code true}: the queue of every lock is first come, first served across instances. */
	@Override
	public boolean supportsFairLocks() {
		return true;
	}

	/**
	 * Reports the connection state, the session and the number of locks held, after one round trip to the
	 * ensemble (bounded by the operation timeout). A client that is not connected yet (an application that
	 * has just started) or is reconnecting is given the operation timeout to connect.
	 * @throws IllegalStateException if the client is not connected within the operation timeout or the
	 * ensemble does not answer
	 */
	@Override
	public Map<String, Object> checkHealth() throws Exception {
		CuratorZookeeperClient zookeeper = this.client.getZookeeperClient();
		if (!zookeeper.isConnected()) {
			this.client.blockUntilConnected((int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(this.operationTimeoutNanos)),
					TimeUnit.MILLISECONDS);
		}
		ConnectionState state = this.held.state();
		if (!zookeeper.isConnected()) {
			throw new IllegalStateException("ZooKeeper is not connected (connection state " + ((state != null) ? state : "never connected") + ")");
		}
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("connectionState", (state != null) ? state.name() : ConnectionState.CONNECTED.name());
		details.put("sessionId", "0x" + Long.toHexString(zookeeper.getZooKeeper().getSessionId()));
		details.put("sessionTimeout", zookeeper.getLastNegotiatedSessionTimeoutMs() + "ms");
		details.put("suspendedGrace", (long) zookeeper.getLastNegotiatedSessionTimeoutMs() * this.suspendedGracePercent / 100 + "ms");
		details.put("heldLocks", this.held.size());
		details.put("basePath", this.basePath);
		exists(this.basePath);
		return details;
	}

	/**
	 * Stops listening to the client's connection. Locks still waiting for their minimum hold time are
	 * released now: the client, which this provider does not close, could outlive it. The client itself
	 * is closed by whoever started it.
	 */
	@Override
	public void close() {
		this.client.getConnectionStateListenable().removeListener(this.held);
		this.deletes.flush();
		this.timer.shutdownNow();
	}
}
