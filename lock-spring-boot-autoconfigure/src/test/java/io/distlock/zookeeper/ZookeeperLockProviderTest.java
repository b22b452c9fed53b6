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
import java.util.concurrent.TimeUnit;

import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.testsupport.AbstractCrossProcessLockProviderTest;
import io.distlock.testsupport.ChildJvm;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.WatchersDebug;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract on a real ZooKeeper server, plus what is specific to ZooKeeper: znode layout and key
 * encoding, container cleanup, predecessor-only watches, and a session that the server expires while
 * its client holds a lock.
 */
class ZookeeperLockProviderTest extends AbstractCrossProcessLockProviderTest {

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

	/** Leaves out Curator's own watch on the ensemble configuration. */
	private static List<String> lockWatches(List<String> paths) {
		return paths.stream().filter((p) -> p.startsWith(ZookeeperTestSupport.BASE_PATH + "/")).toList();
	}

	private static List<String> sortedQueue(CuratorFramework zk, String queue) throws Exception {
		List<String> nodes = new ArrayList<>(zk.getChildren().forPath(queue));
		nodes.sort((a, b) -> Long.compare(ZnodeNames.sequence(a), ZnodeNames.sequence(b)));
		return nodes;
	}

	private static String connectString() throws Exception {
		return ZookeeperTestSupport.sharedServer().getConnectString();
	}
}
