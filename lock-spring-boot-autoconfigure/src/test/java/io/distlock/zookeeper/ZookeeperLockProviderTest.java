package io.distlock.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.distlock.core.LockHandle;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.LockSpec;
import io.distlock.testsupport.AbstractCrossProcessLockProviderTest;
import io.distlock.testsupport.ChildJvm;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.test.WatchersDebug;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The contract on a real ZooKeeper server, plus what is specific to ZooKeeper: znode layout and key
 * encoding, container cleanup, predecessor-only watches, and a session that the server expires while
 * its client holds a lock.
 */
class ZookeeperLockProviderTest extends AbstractCrossProcessLockProviderTest {

	/** The delayed delete of a minimum hold runs in the holder: a dead holder's node goes with its session. */
	@Override
	protected boolean keepsMinimumHoldAfterTheHolderDies() {
		return false;
	}


	/** An operator deletes the lock's znodes. */
	@Override
	protected void deleteLockRecord(Instance holder, String name, String key) throws Exception {
		CuratorFramework client = client(holder);
		String queue = ZnodeNames.queuePath(ZookeeperTestSupport.BASE_PATH, name, key);
		for (String child : client.getChildren().forPath(queue)) {
			client.delete().forPath(queue + "/" + child);
		}
	}


	private final Map<LockProvider, CuratorFramework> clients = new IdentityHashMap<>();

	@Override
	protected LockProvider createProvider() throws Exception {
		CuratorFramework client = ZookeeperTestSupport.client(connectString(), ZookeeperTestSupport.SESSION);
		ZookeeperLockProvider provider = new ZookeeperLockProvider(client, ZookeeperTestSupport.BASE_PATH);
		this.clients.put(provider, client);
		return provider;
	}

	@Override
	protected void closeProvider(LockProvider provider) throws Exception {
		((ZookeeperLockProvider) provider).close();
		this.clients.remove(provider).close();
	}

	/** A crashed process: its client stops talking, and the server expires the session after its timeout. */
	@Override
	protected void abandon(Instance instance) throws Exception {
		ZookeeperTestSupport.crash(client(instance));
	}

	/** {@link #abandon} kills the session on the server at once; the client hears of it only afterwards. */
	@Override
	protected boolean abandonReportsLossBeforeTheLockIsFree() {
		return false;
	}

	/** A release only sends its delete: the lock is free once the server applies it, a round trip later. */
	@Override
	protected Duration releaseVisibleWithin() {
		return Duration.ofSeconds(2);
	}

	/** The lease of a ZooKeeper lock is the session timeout of its client. */
	@Override
	protected Duration shortLease() {
		return ZookeeperTestSupport.SESSION;
	}

	/** The child's lease is its session timeout. */
	@Override
	protected ChildJvm startChildInstance(Duration session) throws Exception {
		ChildJvm child = ChildJvm.start(ZookeeperHolderMain.class, connectString(), Long.toString(session.toMillis()));
		child.await("READY", Duration.ofSeconds(60));
		return child;
	}

	@Override
	protected Duration killedHolderLease() {
		return ZookeeperTestSupport.SESSION;
	}

	/** The server expires a silent session after its timeout, counted from the last heartbeat it saw. */
	@Override
	protected Duration killedHolderReleaseBound(Duration session) {
		return session.multipliedBy(3);
	}

	private CuratorFramework client(Instance instance) {
		return this.clients.get(instance.provider);
	}

	@Test
	void locksLiveUnderTheBasePathByNameAndKey() throws Exception {
		Instance instance = newInstance();
		CuratorFramework zk = client(instance);
		try (LockHandle handle = instance.template.tryAcquire(lockName(), "order-42", Duration.ZERO).orElseThrow()) {
			String queue = ZookeeperTestSupport.BASE_PATH + "/" + ZnodeNames.segment(lockName()) + "/order-42";
			List<String> nodes = zk.getChildren().forPath(queue);
			assertThat(nodes).hasSize(1);
			assertThat(nodes.get(0)).contains(ZookeeperLockProvider.LOCK_NODE);
			assertThat(zk.checkExists().forPath(queue + "/" + nodes.get(0)).getCzxid()).isEqualTo(handle.fencingToken());
		}
	}

	@Test
	void hostileKeysStayInsideTheBasePathAndNeverCollide() throws Exception {
		Instance instance = newInstance();
		CuratorFramework zk = client(instance);
		String[] keys = { "../../escape", "a/b", "/", ".", "..", "%", "", "ключ/ü", "\u0000", "zookeeper", "a%2Fb" };
		List<LockHandle> handles = new ArrayList<>();
		try {
			for (String key : keys) {
				// all held at once: no two keys share a queue
				handles.add(instance.template.tryAcquire(lockName(), key, Duration.ZERO).orElseThrow());
			}
			String namePath = ZookeeperTestSupport.BASE_PATH + "/" + ZnodeNames.segment(lockName());
			assertThat(zk.getChildren().forPath(namePath)).hasSize(keys.length);
			assertThat(zk.getChildren().forPath("/")).containsOnly("zookeeper", ZookeeperTestSupport.BASE_PATH.substring(1));
			assertThat(zk.getChildren().forPath(ZookeeperTestSupport.BASE_PATH)).allMatch((n) -> !n.contains("/"));
		}
		finally {
			handles.forEach(LockHandle::close);
		}
	}

	@Test
	void parentsOfFinishedLocksAreReaped() throws Exception {
		Instance instance = newInstance();
		CuratorFramework zk = client(instance);
		String namePath = ZookeeperTestSupport.BASE_PATH + "/" + ZnodeNames.segment(lockName());
		for (int i = 0; i < 40; i++) {
			// spread over several reaping passes: acquisitions race with the server deleting empty parents
			instance.template.tryAcquire(lockName(), "key-" + i, Duration.ZERO).orElseThrow().close();
			Thread.sleep(i % 3 * 15);
		}
		// the server deletes empty containers every znode.container.checkIntervalMs: keys first, then the name
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(zk.checkExists().forPath(namePath)).isNull());
		// and a later acquisition recreates what it needs
		instance.template.tryAcquire(lockName(), "key-0", Duration.ZERO).orElseThrow().close();
	}

	@Test
	void eachWaiterWatchesOnlyItsPredecessor() throws Exception {
		Instance holder = newInstance();
		List<Instance> waiters = List.of(newInstance(), newInstance(), newInstance());
		String queue = ZookeeperTestSupport.BASE_PATH + "/" + ZnodeNames.segment(lockName()) + "/k";
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		List<CompletableFuture<Long>> acquired = new ArrayList<>();
		// a thread each: the common pool may have a single thread on a small machine
		ExecutorService threads = Executors.newFixedThreadPool(waiters.size());
		for (Instance waiter : waiters) {
			acquired.add(CompletableFuture.supplyAsync(() -> {
				try (LockHandle h = waiter.template.tryAcquire(lockName(), "k", Duration.ofSeconds(30)).orElseThrow()) {
					return h.fencingToken();
				}
			}, threads));
			int expected = acquired.size() + 1;
			await().atMost(Duration.ofSeconds(10)).until(() -> client(holder).getChildren().forPath(queue).size() == expected);
		}
		List<String> queued = sortedQueue(client(holder), queue);
		for (int i = 0; i < waiters.size(); i++) {
			String predecessor = queue + "/" + queued.get(i);
			CuratorFramework zk = client(waiters.get(i));
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(lockWatches(WatchersDebug.getDataWatches(zk.getZookeeperClient().getZooKeeper())))
					.containsExactly(predecessor));
			assertThat(lockWatches(WatchersDebug.getChildWatches(zk.getZookeeperClient().getZooKeeper()))).isEmpty();
		}
		held.close();
		long previous = held.fencingToken();
		for (CompletableFuture<Long> f : acquired) {
			long token = f.get(30, TimeUnit.SECONDS);
			assertThat(token).isGreaterThan(previous);
			previous = token;
		}
		threads.shutdown();
	}

	@Test
	void interruptedWaiterLeavesNoNodeBehind() throws Exception {
		Instance holder = newInstance();
		LockProvider waiter = newInstance().provider;
		String queue = ZookeeperTestSupport.BASE_PATH + "/" + ZnodeNames.segment(lockName()) + "/k";
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		LockRequest request = new LockRequest(lockName(), "k", lockName(), Duration.ofSeconds(30), Duration.ofSeconds(30));
		CompletableFuture<Throwable> outcome = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			try {
				outcome.complete(new AssertionError("acquired while held: " + waiter.acquire(request)));
			}
			catch (Throwable ex) {
				outcome.complete(ex);
			}
		});
		thread.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> client(holder).getChildren().forPath(queue).size() == 2);
		thread.interrupt();
		assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
		await().atMost(Duration.ofSeconds(10)).until(() -> client(holder).getChildren().forPath(queue).size() == 1);
		held.close();
		assertThat(newInstance().template.tryAcquire(lockName(), "k", Duration.ZERO)).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void sessionExpiredOnTheServerWhileHolding() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		CompletableFuture<LockHandle> next = CompletableFuture
			.supplyAsync(() -> waiter.template.tryAcquire(lockName(), "k", Duration.ofSeconds(30)).orElseThrow());
		Thread.sleep(200);
		assertThat(next).isNotDone();

		ZookeeperTestSupport.expireOnServer(client(holder), connectString());

		LockHandle taken = next.get(30, TimeUnit.SECONDS);
		assertThat(taken.fencingToken()).isGreaterThan(held.fencingToken());
		await().atMost(shortLease().plus(slack())).until(() -> !held.isHeld());
		held.close(); // late release: harmless
		assertThat(taken.isHeld()).isTrue();
		assertThat(newInstance().template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		taken.close();
		// the expired holder's client works again, on a new session
		Optional<LockHandle> again = holder.template.tryAcquire(lockName(), "k", Duration.ofSeconds(10));
		assertThat(again).hasValueSatisfying((h) -> assertThat(h.fencingToken()).isGreaterThan(taken.fencingToken()));
		again.get().close();
	}

	/**
	 * A wait that ends without its watch firing (here: 10 000 timeouts on 100 locks that stay held) takes
	 * its watch off the server and the client: a watch would otherwise stay on a holder's node for as long
	 * as it is held, and the client would keep one watcher object per wait.
	 */
	@Test
	void timedOutWaitsLeaveNoWatchBehind() throws Exception {
		int keys = 100;
		int threads = 25;
		int waitsPerThread = 400;
		Instance holder = newInstance();
		List<LockHandle> held = new ArrayList<>();
		for (int k = 0; k < keys; k++) {
			held.add(holder.template.tryAcquire(lockName(), "k" + k, Duration.ZERO).orElseThrow());
		}
		// the holders watch their own nodes once held for a moment: count from then on
		await().atMost(Duration.ofSeconds(10))
			.until(() -> lockWatches(WatchersDebug.getDataWatches(client(holder).getZookeeperClient().getZooKeeper())).size() == keys);
		Instance waiter = newInstance();
		String server = ZookeeperTestSupport.sharedServer().getConnectString();
		int before = ZookeeperTestSupport.serverWatchCount(server);
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		List<Future<Long>> acquired = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int first = t * waitsPerThread;
			acquired.add(pool.submit(() -> {
				long count = 0;
				for (int i = first; i < first + waitsPerThread; i++) {
					LockRequest request = new LockRequest(lockName(), "k" + (i % keys), lockName(), Duration.ofMillis(10), Duration.ofSeconds(30));
					count += waiter.provider.acquire(request).isPresent() ? 1 : 0;
				}
				return count;
			}));
		}
		int most = before;
		while (!acquired.stream().allMatch(Future::isDone)) {
			most = Math.max(most, ZookeeperTestSupport.serverWatchCount(server));
			Thread.sleep(50);
		}
		pool.shutdown();
		for (Future<Long> f : acquired) {
			assertThat(f.get()).as("acquired a held lock").isZero();
		}
		assertThat(most).as("the waits did set watches").isGreaterThan(before);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(ZookeeperTestSupport.serverWatchCount(server)).as("the server's watch count").isEqualTo(before));
		assertThat(lockWatches(WatchersDebug.getDataWatches(client(waiter).getZookeeperClient().getZooKeeper()))).isEmpty();
		held.forEach(LockHandle::close);
	}

	/**
	 * Fair across instances: waiters of two instances, each with its own place in the queue, get the lock
	 * in the order in which they started waiting.
	 */
	@Test
	void waitersOfTwoInstancesAcquireInTheOrderTheyStartedWaiting() throws Exception {
		Instance holder = newInstance();
		LockProvider[] instances = { newInstance().provider, newInstance().provider };
		assertThat(instances[0].supportsFairLocks()).isTrue();
		String queue = ZookeeperTestSupport.BASE_PATH + "/" + ZnodeNames.segment(lockName()) + "/f";
		LockHandle held = holder.template.tryAcquire(LockSpec.of(lockName(), "f").waitTime(Duration.ZERO).fair(true)).orElseThrow();
		List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
		int waiters = 6;
		ExecutorService pool = Executors.newFixedThreadPool(waiters);
		List<Future<?>> done = new ArrayList<>();
		for (int i = 0; i < waiters; i++) {
			String name = "w" + i + (i % 2 == 0 ? "@first" : "@second");
			LockProvider instance = instances[i % 2];
			done.add(pool.submit(() -> {
				LockRequest fair = new LockRequest(lockName(), "f", lockName(), Duration.ofSeconds(30), Duration.ofSeconds(30), true);
				LockLease lease = instance.acquire(fair).orElseThrow();
				order.add(name);
				Thread.sleep(20);
				lease.release();
				return null;
			}));
			int queued = i + 2;
			await().atMost(Duration.ofSeconds(10)).until(() -> client(holder).getChildren().forPath(queue).size() == queued);
		}
		held.close();
		for (Future<?> f : done) {
			f.get(30, TimeUnit.SECONDS);
		}
		pool.shutdown();
		assertThat(order).containsExactly("w0@first", "w1@second", "w2@first", "w3@second", "w4@first", "w5@second");
	}

	/**
	 * A minimum hold: release returns at once, the lock stays taken until the hold ends (a delayed delete),
	 * then it is free; a second release changes nothing.
	 */
	@Test
	void releaseAfterKeepsTheLockTakenUntilTheHoldEnds() throws Exception {
		Instance holder = newInstance();
		Instance other = newInstance();
		LockLease lease = holder.provider.acquire(new LockRequest(lockName(), "k", lockName(), Duration.ZERO, Duration.ofSeconds(30))).orElseThrow();
		Duration hold = Duration.ofMillis(800);
		long released = System.nanoTime();
		assertThat(lease.releaseAfter(hold)).isTrue();
		// half the hold: a release that waited for the hold would take 800 ms
		assertThat(Duration.ofNanos(System.nanoTime() - released)).as("the caller is not delayed").isLessThan(Duration.ofMillis(400));
		lease.release();
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).as("taken during the hold").isEmpty();
		try (LockHandle next = other.template.tryAcquire(lockName(), "k", Duration.ofSeconds(10)).orElseThrow()) {
			assertThat(Duration.ofNanos(System.nanoTime() - released)).isGreaterThanOrEqualTo(hold).isLessThan(hold.plus(slack()));
			assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
		}
	}

	/** Through the core: a minimum hold time outlives the handle's close, on the backend. */
	@Test
	void minHoldTimeKeepsTheLockAfterClose() throws Exception {
		Instance holder = newInstance();
		Instance other = newInstance();
		Duration hold = Duration.ofMillis(800);
		long acquired = System.nanoTime(); // the hold counts from the acquiring request, not from its answer
		LockHandle handle = holder.template.tryAcquire(LockSpec.of(lockName(), "k").waitTime(Duration.ZERO).minHoldTime(hold)).orElseThrow();
		handle.close();
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		try (LockHandle next = other.template.tryAcquire(lockName(), "k", Duration.ofSeconds(10)).orElseThrow()) {
			assertThat(Duration.ofNanos(System.nanoTime() - acquired)).isGreaterThanOrEqualTo(hold);
		}
	}

	/**
	 * A health check made while the client is still making its first connection (an application that has
	 * just started) waits for it within the operation timeout instead of reporting the backend down.
	 */
	@Test
	void healthWaitsForTheFirstConnectionWithinTheOperationTimeout() throws Exception {
		try (TestingServer server = new TestingServer(ZookeeperTestSupport.spec(-1, ZookeeperTestSupport.TICK_MS), false);
				CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(), 3_000, 3_000, new RetryOneTime(100))) {
			client.start(); // not connected: the server is not running yet
			ZookeeperLockProvider provider = new ZookeeperLockProvider(client, ZookeeperTestSupport.BASE_PATH, ZookeeperLockProvider.DEFAULT_SUSPENDED_GRACE_PERCENT, Duration.ofSeconds(10));
			try {
				CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
					try {
						Thread.sleep(300);
						server.start();
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
				});
				assertThat(provider.checkHealth()).containsEntry("connectionState", "CONNECTED");
				started.join();
			}
			finally {
				provider.close();
			}
		}
	}

	/** Without a server, the health check fails within about its operation timeout, saying the client is not connected. */
	@Test
	void healthFailsWithinTheOperationTimeoutWithoutAServer() throws Exception {
		try (TestingServer server = new TestingServer(ZookeeperTestSupport.spec(-1, ZookeeperTestSupport.TICK_MS), false);
				CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(), 3_000, 3_000, new RetryOneTime(100))) {
			client.start();
			ZookeeperLockProvider provider = new ZookeeperLockProvider(client, ZookeeperTestSupport.BASE_PATH, ZookeeperLockProvider.DEFAULT_SUSPENDED_GRACE_PERCENT, Duration.ofMillis(500));
			try {
				long started = System.nanoTime();
				assertThatIllegalStateException().isThrownBy(provider::checkHealth).withMessageContaining("ZooKeeper is not connected");
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
			}
			finally {
				provider.close();
			}
		}
	}

	/** Leaves out Curator's own watch on the ensemble configuration. */
	private static List<String> lockWatches(List<String> paths) {
		return paths.stream().filter((p) -> p.startsWith(ZookeeperTestSupport.BASE_PATH + "/")).toList();
	}

	private static List<String> sortedQueue(CuratorFramework zk, String queue) throws Exception {
		List<String> nodes = new ArrayList<>(zk.getChildren().forPath(queue));
		nodes.sort((a, b) -> Long.compare(QueueOrder.sequence(a), QueueOrder.sequence(b)));
		return nodes;
	}

	private static String connectString() throws Exception {
		return ZookeeperTestSupport.sharedServer().getConnectString();
	}
}
