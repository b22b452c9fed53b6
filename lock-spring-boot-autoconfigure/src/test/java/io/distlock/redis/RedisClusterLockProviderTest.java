package io.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.LockSpec;
import io.distlock.core.LockTemplate;
import io.distlock.testsupport.AbstractCrossProcessLockProviderTest;
import io.distlock.testsupport.ChildJvm;
import io.distlock.testsupport.HistoryChecker;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The whole contract on a real Redis Cluster of three masters ({@link RedisClusterProcesses}), every
 * application instance configured by Spring Boot from {@code spring.data.redis.cluster.nodes} (in this
 * JVM and in child JVMs); plus what only a cluster has: locks on different nodes taken together, and
 * a held lock's slot moved to another node while holders and waiters run.
 */
class RedisClusterLockProviderTest extends AbstractCrossProcessLockProviderTest {

	static RedisClusterProcesses cluster;

	private final Map<LockProvider, RedisClusterOrSentinelApp> apps = Collections.synchronizedMap(new IdentityHashMap<>());

	@BeforeAll
	static void startCluster() throws Exception {
		cluster = RedisClusterProcesses.start(3);
	}

	@AfterAll
	static void stopCluster() throws Exception {
		if (cluster != null) {
			cluster.close();
		}
	}

	/** The properties of one application instance on the cluster {@code nodes}. */
	static String[] properties(String nodes) {
		return new String[] { "spring.data.redis.cluster.nodes=" + nodes, "distributed-lock.redis.command-timeout=2s" };
	}

	@Override
	protected LockProvider createProvider() {
		RedisClusterOrSentinelApp app = RedisClusterOrSentinelApp.start(properties(cluster.nodesProperty()));
		this.apps.put(app.provider(), app);
		return app.provider();
	}

	@Override
	protected void closeProvider(LockProvider provider) {
		RedisClusterOrSentinelApp app = this.apps.remove(provider);
		if (app != null) {
			app.close();
		}
	}

	@Override
	protected ChildJvm startChildInstance(Duration lease) throws Exception {
		ChildJvm child = ChildJvm.start(RedisClusterHolderMain.class, cluster.nodesProperty(), Long.toString(lease.toMillis()));
		child.await("READY", Duration.ofSeconds(60));
		return child;
	}

	/**
	 * Longer than the default 2s: the child holder runs a Spring context and Lettuce's cluster client, and
	 * once (JDK 25, load average 13 on 2 cores) did not get a renewal confirmed within 5/6 of 2s.
	 */
	@Override
	protected Duration killedHolderLease() {
		return Duration.ofSeconds(4);
	}

	@Override
	protected void deleteLockRecord(Instance holder, String name, String key) {
		cluster.node(nodeOf(name, key)).del(lockKey(name, key));
	}

	/** The Redis key of the lock {@code name}/{@code key} as a template without key prefix names it. */
	private static String lockKey(String name, String key) {
		return RedisLockKeys.of(new LockRequest(name, key, name, Duration.ZERO, Duration.ofSeconds(1))).lockKey();
	}

	private static int nodeOf(String name, String key) {
		return cluster.ownerOf(SlotHash.getSlot(lockKey(name, key)));
	}

	/** Returns one key per node (in node order) whose lock of {@code name} that node serves. */
	private static List<String> oneKeyPerNode(String name) {
		Map<Integer, String> byNode = new LinkedHashMap<>();
		for (int i = 0; byNode.size() < cluster.size(); i++) {
			byNode.putIfAbsent(nodeOf(name, "k" + i), "k" + i);
		}
		return new ArrayList<>(new TreeSet<>(byNode.values()));
	}

	/** Returns a key, starting with {@code prefix}, whose lock of {@code name} lives in {@code slot}. */
	private static String keyInSlot(String name, int slot, String prefix) {
		for (int i = 0; i < 10_000_000; i++) {
			if (SlotHash.getSlot(lockKey(name, prefix + i)) == slot) {
				return prefix + i;
			}
		}
		throw new IllegalStateException("no key for slot " + slot);
	}

	@Test
	void instancesUseSpringBootsClusterConnectionAndLocksLiveOnTheNodeServingTheirSlot() throws Exception {
		Instance instance = newInstance();
		assertThat(this.apps.get(instance.provider).connectionFactory().getClusterConfiguration()).isNotNull();
		Set<Integer> nodes = new TreeSet<>();
		List<LockHandle> held = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			String key = "spread-" + i;
			held.add(instance.template.tryAcquire(lockName(), key, Duration.ZERO).orElseThrow());
			int node = nodeOf(lockName(), key);
			assertThat(cluster.node(node).exists(lockKey(lockName(), key), lockKey(lockName(), key) + ":token"))
				.as("lock and token of %s on node %s", key, node).isEqualTo(2);
			nodes.add(node);
		}
		assertThat(nodes).as("30 locks spread over every node").containsExactly(0, 1, 2);
		held.forEach(LockHandle::close);
	}

	/**
	 * A release reaches the waiters of other instances straight from the node that ran it: a waiting
	 * instance subscribes on every master, not only on the node its client picked, from which messages of
	 * other nodes come through the cluster bus, milliseconds later (what made fair locks slow on a Cluster).
	 */
	@Test
	void aWaitingInstanceHearsReleasesOnEveryMaster() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		try (LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
			assertThat(waiter.template.tryAcquire(lockName(), "k", Duration.ofMillis(300))).isEmpty();
		}
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			for (int node = 0; node < cluster.size(); node++) {
				assertThat(cluster.node(node).pubsubNumsub(RedisLockProvider.DEFAULT_CHANNEL).get(RedisLockProvider.DEFAULT_CHANNEL))
					.as("subscribers on node %s", node).isGreaterThanOrEqualTo(1L);
			}
		});
	}

	/**
	 * A master that joins the Cluster after the subscription was made is subscribed on too, once the
	 * client's topology refresh has seen it (on a cluster of its own: the shared one keeps three nodes).
	 */
	@Test
	void aMasterThatJoinsLaterIsSubscribedOnToo() throws Exception {
		try (RedisClusterProcesses growing = RedisClusterProcesses.start(2);
				RedisClusterOrSentinelApp app = RedisClusterOrSentinelApp.start("spring.data.redis.cluster.nodes=" + growing.nodesProperty(),
						"distributed-lock.redis.command-timeout=2s", "spring.data.redis.lettuce.cluster.refresh.period=1s")) {
			try (LockHandle held = app.template().tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
				// another thread of the same instance waits at the backend (where it subscribes) only for a fair lock
				assertThat(CompletableFuture.supplyAsync(() -> app.template()
					.tryAcquire(LockSpec.of(lockName(), "k").waitTime(Duration.ofMillis(300)).fair(true))).get(30, TimeUnit.SECONDS)).isEmpty();
			}
			assertThat(growing.node(0).pubsubNumsub(RedisLockProvider.DEFAULT_CHANNEL).get(RedisLockProvider.DEFAULT_CHANNEL))
				.as("subscribed on the first masters").isGreaterThanOrEqualTo(1L);
			int added = growing.addMaster();
			await().atMost(Duration.ofSeconds(20 + LettuceGateway.MASTERS_RESUBSCRIBE_SECONDS)).untilAsserted(() -> assertThat(
					growing.node(added).pubsubNumsub(RedisLockProvider.DEFAULT_CHANNEL).get(RedisLockProvider.DEFAULT_CHANNEL))
				.as("subscribers on the new master").isGreaterThanOrEqualTo(1L));
		}
	}

	@Test
	void acquireAllTakesLocksOnDifferentNodesAllOrNoneAndWithoutDeadlock() throws Exception {
		String name = lockName();
		List<String> keys = oneKeyPerNode(name);
		Instance first = newInstance();
		Instance second = newInstance();
		List<LockHandle> all = first.template.acquireAll(name, keys, Duration.ZERO, Duration.ofSeconds(30));
		assertThat(all).hasSize(3).allSatisfy((handle) -> assertThat(handle.isHeld()).isTrue());
		assertThat(keys.stream().map((key) -> nodeOf(name, key)).distinct()).as("one lock per node").hasSize(3);
		for (String key : keys) {
			assertThat(second.template.tryAcquire(name, key, Duration.ZERO)).as(key).isEmpty();
		}
		// "0spare" sorts first, so it is taken before the held key fails the call: it must be given back
		String spare = "0spare";
		assertThatThrownBy(() -> second.template.acquireAll(name, List.of(spare, keys.get(2)), Duration.ofMillis(300),
				Duration.ofSeconds(30)))
			.isInstanceOf(LockAcquisitionException.class);
		assertThat(cluster.node(nodeOf(name, spare)).exists(lockKey(name, spare))).as("no lock left behind").isZero();
		all.forEach(LockHandle::close);
		List<LockHandle> again = second.template.acquireAll(name, keys, Duration.ofSeconds(5), Duration.ofSeconds(30));
		for (int i = 0; i < keys.size(); i++) {
			assertThat(again.get(i).fencingToken()).isGreaterThan(all.get(i).fencingToken());
		}
		again.forEach(LockHandle::close);

		// overlapping sets asked for in opposite orders, from two instances at once: no deadlock, no overlap
		List<List<String>> sets = List.of(keys, List.of(keys.get(2), keys.get(0)), List.of(keys.get(1), keys.get(2)),
				List.of(keys.get(1), keys.get(0)));
		Map<String, HistoryChecker> histories = new LinkedHashMap<>();
		keys.forEach((key) -> histories.put(key, new HistoryChecker()));
		Map<String, AtomicLong> counters = new LinkedHashMap<>();
		keys.forEach((key) -> counters.put(key, new AtomicLong()));
		ExecutorService pool = Executors.newFixedThreadPool(sets.size());
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < sets.size(); t++) {
				LockTemplate template = (t % 2 == 0) ? first.template : second.template;
				List<String> set = sets.get(t);
				String holder = "t" + t;
				futures.add(pool.submit(() -> {
					for (int i = 0; i < 10; i++) {
						List<LockHandle> handles = template.acquireAll(name, set, Duration.ofSeconds(60), Duration.ofSeconds(30));
						long acquiredAt = System.nanoTime();
						for (String key : set) {
							long value = counters.get(key).get();
							Thread.sleep(1);
							counters.get(key).set(value + 1);
						}
						long releasedAt = System.nanoTime();
						for (LockHandle handle : handles) {
							HistoryChecker history = histories.get(handle.key());
							history.record(holder, handle.fencingToken(), acquiredAt, releasedAt, !handle.isHeld());
							handle.close();
						}
					}
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get(2, TimeUnit.MINUTES);
			}
		}
		finally {
			pool.shutdownNow();
		}
		for (String key : keys) {
			long expected = sets.stream().filter((set) -> set.contains(key)).count() * 10;
			assertThat(counters.get(key).get()).as("lost updates on %s", key).isEqualTo(expected);
			assertThat(histories.get(key).size()).isEqualTo((int) expected);
			histories.get(key).assertValid();
		}
	}

	@Test
	void movingAHeldLocksSlotToAnotherNodeWhileHoldersAndWaitersRunLosesNothing() throws Exception {
		String name = lockName();
		Duration lease = Duration.ofSeconds(2);
		String hot = "hot";
		int slot = SlotHash.getSlot(lockKey(name, hot));
		// a second lock in the same slot, held across the whole move: its renewals cross every state
		String held = keyInSlot(name, slot, "held-");
		int source = cluster.ownerOf(slot);
		int target = (source + 1) % cluster.size();
		Instance a = newInstance(lease);
		Instance b = newInstance(lease);
		LockHandle longHold = a.template.tryAcquire(name, held, Duration.ZERO).orElseThrow();

		HistoryChecker history = new HistoryChecker();
		AtomicLong counter = new AtomicLong();
		AtomicInteger acquisitions = new AtomicInteger();
		AtomicBoolean stop = new AtomicBoolean();
		List<String> failures = Collections.synchronizedList(new ArrayList<>());
		ExecutorService pool = Executors.newFixedThreadPool(4);
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < 4; t++) {
			LockTemplate template = (t % 2 == 0) ? a.template : b.template;
			String holder = "t" + t;
			futures.add(pool.submit(() -> {
				while (!stop.get()) {
					try (LockHandle handle = template.tryAcquire(name, hot, Duration.ofSeconds(30)).orElseThrow()) {
						long acquiredAt = System.nanoTime();
						long value = counter.get();
						Thread.sleep(2);
						counter.set(value + 1);
						history.record(holder, handle.fencingToken(), acquiredAt, System.nanoTime(), !handle.isHeld());
						acquisitions.incrementAndGet();
					}
					catch (RuntimeException ex) {
						failures.add(ex.toString());
						Thread.sleep(50);
					}
				}
				return null;
			}));
		}
		try {
			awaitAcquisitions(acquisitions, 20);
			Map<String, Boolean> contenderGotHeldLock = new LinkedHashMap<>();
			int moved = cluster.moveSlot(slot, target, Duration.ofMillis(1500), (step) -> contenderGotHeldLock.put(step,
					b.template.tryAcquire(name, held, Duration.ZERO).map((handle) -> {
						handle.close();
						return true;
					}).orElse(false)));
			awaitAcquisitions(acquisitions, acquisitions.get() + 20);
			stop.set(true);
			for (Future<?> future : futures) {
				future.get(1, TimeUnit.MINUTES);
			}
			assertThat(failures.size()).as("acquisitions that failed while the slot moved, the first: %s",
					failures.stream().limit(2).toList()).isZero();
			assertThat(contenderGotHeldLock).as("the held lock granted to another instance during the move").hasSize(2)
				.doesNotContainValue(true);
			assertThat(longHold.isHeld()).as("the lock held across the move (lease %s, renewed through it)", lease).isTrue();
			assertThat(moved).as("keys migrated").isGreaterThanOrEqualTo(3);
			assertThat(cluster.node(source).clusterCountKeysInSlot(slot)).isZero();
			assertThat(cluster.node(target).clusterCountKeysInSlot(slot)).isGreaterThanOrEqualTo(3);
			assertThat(counter.get()).as("lost updates").isEqualTo(history.size());
			history.assertValid();
		}
		finally {
			stop.set(true);
			pool.shutdownNow();
			longHold.close();
		}
	}

	private static void awaitAcquisitions(AtomicInteger acquisitions, int atLeast) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (acquisitions.get() < atLeast) {
			assertThat(System.nanoTime() - deadline).as("%s acquisitions within 30s", atLeast).isNegative();
			Thread.sleep(10);
		}
	}
}
