package io.distlock.redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockRequest;
import io.distlock.core.LockTemplate;
import io.distlock.testsupport.FencedStore;
import io.distlock.testsupport.HistoryChecker;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sentinel, for real: one master, one replica and three sentinels ({@link RedisSentinelProcesses}),
 * application instances configured by Spring Boot from {@code spring.data.redis.sentinel.*}, and the
 * master killed ({@code kill -9}) while locks are held and waited for.
 *
 * <p>What failover may do to a lock, and what these tests hold it to: a lock that reached the replica
 * before the kill is kept (its holder renews it on the promoted replica) or, if the outage outlasts
 * what its lease allows, reported lost before anyone else can take it; a lock written on the master
 * but not yet replicated is gone after the failover, so a second holder can take it while the first
 * still believes it holds it (asynchronous replication), and then the fencing token is what protects
 * the data: the second holder's token is higher, so the first one's late write is rejected. Tokens
 * keep rising in both cases.
 */
class RedisSentinelFailoverTest {

	private RedisSentinelProcesses deployment;

	private final List<RedisClusterOrSentinelApp> apps = new ArrayList<>();

	private String name;

	@BeforeEach
	void start(TestInfo info) throws Exception {
		this.name = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName();
		this.deployment = RedisSentinelProcesses.start();
	}

	@AfterEach
	void stop() throws Exception {
		try {
			for (RedisClusterOrSentinelApp app : this.apps) {
				app.close();
			}
		}
		finally {
			if (this.deployment != null) {
				this.deployment.close();
			}
		}
	}

	/** Starts one more application instance, which finds the master through the sentinels. */
	private LockTemplate newInstance() {
		RedisClusterOrSentinelApp app = RedisClusterOrSentinelApp.start(
				"spring.data.redis.sentinel.master=" + RedisSentinelProcesses.MASTER_NAME,
				"spring.data.redis.sentinel.nodes=" + this.deployment.sentinelNodesProperty(),
				"distributed-lock.redis.command-timeout=1s");
		this.apps.add(app);
		return app.template();
	}

	private String lockKey(String key) {
		return RedisLockKeys.of(new LockRequest(this.name, key, this.name, Duration.ZERO, Duration.ofSeconds(1))).lockKey();
	}

	@Test
	void heldLocksAreKeptOrReportedLostAndNewAcquisitionsSucceedAfterTheMasterIsKilled() throws Exception {
		LockTemplate a = newInstance();
		LockTemplate b = newInstance();
		// a short lease cannot outlive the failover (the master is declared down only after 2s): reported
		// lost; a long one can: kept, if renewed on the promoted replica in time, else reported lost
		Map<String, Duration> leases = new LinkedHashMap<>();
		leases.put("short-1", Duration.ofSeconds(2));
		leases.put("short-2", Duration.ofSeconds(2));
		leases.put("long-1", Duration.ofSeconds(20));
		leases.put("long-2", Duration.ofSeconds(20));
		Map<String, HistoryChecker> histories = new LinkedHashMap<>();
		Map<String, LockHandle> held = new LinkedHashMap<>();
		Map<String, Long> heldSince = new LinkedHashMap<>();
		Map<String, AtomicLong> lostAt = new LinkedHashMap<>();
		for (String key : leases.keySet()) {
			histories.put(key, new HistoryChecker());
			LockHandle handle = a.tryAcquire(this.name, key, Duration.ZERO, leases.get(key)).orElseThrow();
			heldSince.put(key, System.nanoTime());
			AtomicLong lost = new AtomicLong();
			handle.onLost(() -> lost.set(System.nanoTime()));
			lostAt.put(key, lost);
			held.put(key, handle);
		}
		AtomicInteger waiterErrors = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(leases.size());
		Map<String, Future<Long>> waiters = new LinkedHashMap<>();
		for (String key : leases.keySet()) {
			HistoryChecker history = histories.get(key);
			waiters.put(key, pool.submit(() -> holdOnceWithin(b, key, leases.get(key), Duration.ofSeconds(90), history, waiterErrors)));
		}
		try {
			// the waiters wait: every lock is marked as awaited, and that reached the replica
			RedisCommands<String, String> replica = this.deployment.commands(this.deployment.replica());
			for (String key : leases.keySet()) {
				RedisSentinelProcesses.awaitCondition(() -> String.valueOf(replica.get(lockKey(key))).endsWith("|w"),
						key + " awaited on the replica");
			}
			this.deployment.master().kill();
			long killedAt = System.nanoTime();
			Duration failover = this.deployment.awaitFailover(Duration.ofSeconds(90));

			// hold on until each lock is either renewed on the promoted replica (its time to live starts
			// again) or reported lost
			for (String key : leases.keySet()) {
				long renewed = leases.get(key).toMillis() * 19 / 20; // never reached without a renewal: the kill was 2s+ ago
				RedisSentinelProcesses.awaitCondition(() -> !held.get(key).isHeld() || replica.pttl(lockKey(key)) > renewed,
						key + " renewed or lost");
			}
			Duration decided = Duration.ofNanos(System.nanoTime() - killedAt);
			Map<String, String> outcomes = new LinkedHashMap<>();
			for (String key : leases.keySet()) {
				LockHandle handle = held.get(key);
				long end = System.nanoTime();
				boolean kept = handle.isHeld();
				handle.close();
				long learned = awaitOnLost(kept, lostAt.get(key));
				assertThat(kept || learned != 0).as("%s neither kept nor reported lost", key).isTrue();
				outcomes.put(key, kept ? "kept" : "lost");
				histories.get(key).record("a", handle.fencingToken(), heldSince.get(key), kept ? end : Math.min(end, learned), !kept);
			}
			long releasedAt = System.nanoTime();
			for (String key : leases.keySet()) {
				assertThat(waiters.get(key).get(2, TimeUnit.MINUTES)).as("waiter of %s got it after the failover", key)
					.isGreaterThan(held.get(key).fencingToken());
			}
			Duration waitersDone = Duration.ofNanos(System.nanoTime() - releasedAt);
			// new acquisitions on every lock, by both instances: tokens keep rising
			for (String key : leases.keySet()) {
				for (LockTemplate template : List.of(a, b)) {
					Duration wait = Duration.ofSeconds(10);
					try (LockHandle again = template.tryAcquire(this.name, key, wait, leases.get(key)).orElseThrow()) {
						long at = System.nanoTime();
						histories.get(key).record((template == a) ? "a" : "b", again.fencingToken(), at, at, false);
					}
				}
			}
			System.out.printf("Sentinel failover: sentinels agreed after %d ms; every hold renewed or lost %d ms after the kill; "
					+ "holds: %s; waiter errors during the outage: %d; last waiter done %d ms after the holds ended%n",
					failover.toMillis(), decided.toMillis(), outcomes, waiterErrors.get(), waitersDone.toMillis());
			assertThat(outcomes).as("a short lease cannot be renewed across the outage").containsEntry("short-1", "lost")
				.containsEntry("short-2", "lost");
			for (String key : leases.keySet()) {
				assertThat(histories.get(key).size()).isEqualTo(4);
				histories.get(key).assertValid();
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void aLockNotYetReplicatedIsLostInTheFailoverAndFencingRejectsItsFormerHolder() throws Exception {
		LockTemplate a = newInstance();
		LockTemplate b = newInstance();
		// long enough that the lock cannot expire before the other instance has reconnected and taken it
		Duration lease = Duration.ofSeconds(30);
		LockHandle kept = a.tryAcquire(this.name, "replicated", Duration.ZERO, lease).orElseThrow();
		RedisCommands<String, String> replica = this.deployment.commands(this.deployment.replica());
		RedisSentinelProcesses.awaitCondition(() -> replica.get(lockKey("replicated")) != null, "the first lock replicated");

		// hold the next write back from the replica: the replica stops reading, and more than the
		// kernel's socket buffers can hold is written first, so the lock stays in the master's memory
		RedisCommands<String, String> master = this.deployment.commands(this.deployment.master());
		this.deployment.replica().pause();
		LockHandle lost;
		long acquiredAt;
		try {
			String junk = "x".repeat(8 << 20);
			for (long written = 0; written < socketBufferBytes(); written += junk.length()) {
				master.set("junk:" + written, junk);
			}
			lost = a.tryAcquire(this.name, "unreplicated", Duration.ZERO, lease).orElseThrow();
			acquiredAt = System.nanoTime();
			this.deployment.master().kill();
		}
		finally {
			this.deployment.replica().resume();
		}
		AtomicLong lostAt = new AtomicLong();
		lost.onLost(() -> lostAt.set(System.nanoTime()));
		Duration failover = this.deployment.awaitFailover(Duration.ofSeconds(90));

		// the promoted replica never saw the second lock: another instance takes it long before its lease ends
		LockHandle second = acquireWithin(b, "unreplicated", lease, Duration.ofSeconds(60), new AtomicInteger());
		long secondAt = System.nanoTime();
		assertThat(Duration.ofNanos(secondAt - acquiredAt)).as("taken again before the first lease ended: lost, not expired")
			.isLessThan(lease);
		assertThat(second.fencingToken()).as("the token keeps rising although its counter was lost too")
			.isGreaterThan(lost.fencingToken());
		// fencing: once the new holder wrote, the former holder's write is rejected
		FencedStore store = new FencedStore(Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "fenced", ".txt"));
		assertThat(store.write(second.fencingToken(), 1)).isTrue();
		assertThat(store.write(lost.fencingToken(), 2)).as("the former holder's write").isFalse();
		// and the former holder learns it: its next renewal on the promoted replica is refused
		long learnDeadline = System.nanoTime() + lease.toNanos();
		while (lost.isHeld()) {
			assertThat(System.nanoTime() - learnDeadline).as("the former holder learned its loss within its lease").isNegative();
			Thread.sleep(20);
		}
		System.out.printf("Unreplicated lock: sentinels agreed after %d ms; taken again %d ms after it was acquired on the killed "
				+ "master; the former holder learned its loss %d ms after that; tokens %d then %d%n", failover.toMillis(),
				(secondAt - acquiredAt) / 1_000_000,
				(Math.max(lostAt.get(), secondAt) - secondAt) / 1_000_000, lost.fencingToken(), second.fencingToken());
		lost.close();
		second.close();

		// the replicated lock survived the failover: still held, still excluding, and its token rises after
		assertThat(b.tryAcquire(this.name, "replicated", Duration.ZERO)).as("kept through the failover").isEmpty();
		assertThat(kept.isHeld()).isTrue();
		kept.close();
		try (LockHandle next = b.tryAcquire(this.name, "replicated", Duration.ofSeconds(10), lease).orElseThrow()) {
			assertThat(next.fencingToken()).isGreaterThan(kept.fencingToken());
		}
	}

	/** Acquires {@code key} within {@code patience}, then records a short hold in {@code history}; returns its token. */
	private long holdOnceWithin(LockTemplate template, String key, Duration lease, Duration patience, HistoryChecker history,
			AtomicInteger errors) throws InterruptedException {
		try (LockHandle handle = acquireWithin(template, key, lease, patience, errors)) {
			long acquiredAt = System.nanoTime();
			Thread.sleep(50);
			history.record("b", handle.fencingToken(), acquiredAt, System.nanoTime(), !handle.isHeld());
			return handle.fencingToken();
		}
	}

	/**
	 * Acquires {@code key} within {@code patience}, as an application would: a call that fails because
	 * Redis is away (a backend error, not a timeout) is counted and retried.
	 */
	private LockHandle acquireWithin(LockTemplate template, String key, Duration lease, Duration patience, AtomicInteger errors)
			throws InterruptedException {
		long deadline = System.nanoTime() + patience.toNanos();
		while (true) {
			Duration left = Duration.ofNanos(deadline - System.nanoTime());
			assertThat(left).as("%s acquired within %s", key, patience).isPositive();
			try {
				return template.tryAcquire(this.name, key, left, lease).orElseThrow();
			}
			catch (LockAcquisitionException ex) {
				errors.incrementAndGet();
				Thread.sleep(100);
			}
		}
	}

	/** Returns when an onLost action ran (it runs soon after the loss, on another thread), 0 if the hold was kept. */
	private static long awaitOnLost(boolean kept, AtomicLong lostAt) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!kept && lostAt.get() == 0 && System.nanoTime() - deadline < 0) {
			Thread.sleep(10);
		}
		return lostAt.get();
	}

	/**
	 * More than the kernel can buffer on one loopback connection (the master's send buffer and the
	 * replica's receive buffer at their largest), so that what is written after stays in the master.
	 */
	private static long socketBufferBytes() throws Exception {
		long max = 0;
		for (String file : List.of("/proc/sys/net/ipv4/tcp_rmem", "/proc/sys/net/ipv4/tcp_wmem")) {
			Path path = Path.of(file);
			String[] values = Files.exists(path) ? Files.readString(path).trim().split("\\s+") : new String[] { "33554432" };
			max += Long.parseLong(values[values.length - 1]);
		}
		return max + (16 << 20);
	}
}
