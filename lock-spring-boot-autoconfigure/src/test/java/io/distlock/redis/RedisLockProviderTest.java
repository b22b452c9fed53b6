package io.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.testsupport.AbstractCrossProcessLockProviderTest;
import io.distlock.testsupport.ChildJvm;
import io.distlock.testsupport.TcpProxy;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract on a real redis-server started on a free port, plus what only Redis has: several
 * application JVMs, a killed and restarted server, a paused server, a partitioned holder, key layout
 * and awkward keys.
 */
class RedisLockProviderTest extends AbstractCrossProcessLockProviderTest {

	static RedisServerProcess server;

	static RedisClient client;

	static StatefulRedisConnection<String, String> connection;

	@BeforeAll
	static void startServer() throws Exception {
		server = RedisServerProcess.start();
		client = RedisClient.create("redis://127.0.0.1:" + server.port());
		connection = client.connect();
	}

	@AfterAll
	static void stopServer() throws Exception {
		connection.close();
		client.shutdown();
		server.close();
	}

	@Override
	protected LockProvider createProvider() {
		return RedisTestConnections.provider(server.port(), Duration.ofSeconds(2));
	}

	@Override
	protected ChildJvm startChildInstance(Duration lease) throws Exception {
		ChildJvm child = ChildJvm.start(RedisHolderMain.class, Integer.toString(server.port()), Long.toString(lease.toMillis()));
		child.await("READY", Duration.ofSeconds(60));
		return child;
	}

	private static RedisCommands<String, String> redis() {
		return connection.sync();
	}

	@Test
	void tokensAfterAKilledAndRestartedServerExceedEveryTokenBefore() throws Exception {
		Instance instance = newInstance();
		long highest = 0;
		for (int i = 0; i < 5; i++) {
			try (LockHandle handle = instance.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
				highest = Math.max(highest, handle.fencingToken());
			}
		}
		server.kill();
		server.restart();
		assertThat(redis().dbsize()).as("a restarted server starts empty").isZero();
		// the instance's connections reconnect by themselves; calls fail until they have
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		List<Long> after = new ArrayList<>();
		while (after.size() < 5) {
			try (LockHandle handle = instance.template.tryAcquire(lockName(), "k", Duration.ofSeconds(5)).orElseThrow()) {
				after.add(handle.fencingToken());
			}
			catch (LockAcquisitionException ex) {
				assertThat(System.nanoTime() - deadline).as("reconnected within 30s").isNegative();
				Thread.sleep(100);
			}
		}
		long before = highest;
		assertThat(after).allSatisfy((token) -> assertThat(token).isGreaterThan(before));
		assertThat(after).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void waiterRetriesWhenTheSubscriptionComesBackAfterARestartInsteadOfWaitingOutTheOldLease() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		Duration longLease = Duration.ofSeconds(60);
		holder.template.tryAcquire(lockName(), "k", Duration.ZERO, longLease).orElseThrow();
		var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
			Optional<LockHandle> h = waiter.template.tryAcquire(lockName(), "k", Duration.ofSeconds(40), longLease);
			h.ifPresent(LockHandle::close);
			return h.isPresent();
		});
		Thread.sleep(500); // the waiter has subscribed and sleeps on the lock's 60s time to live
		server.kill();
		server.restart(); // empty: the lock is gone, and no release message will ever come
		long restartedAt = System.nanoTime();
		assertThat(waiting.get(60, TimeUnit.SECONDS)).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - restartedAt)).isLessThan(Duration.ofSeconds(15));
	}

	@Test
	void unreachableRedisFailsTheAcquireNamingTheLock() throws Exception {
		int closedPort;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		RedisLockProvider provider = RedisTestConnections.provider(closedPort, Duration.ofMillis(500));
		try {
			LockRequest request = new LockRequest(lockName(), "k", lockName(), Duration.ofSeconds(1), Duration.ofSeconds(5));
			assertThatThrownBy(() -> provider.acquire(request)).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("Redis failed while acquiring lock '" + lockName() + "' with key 'k'");
		}
		finally {
			provider.close();
		}
	}

	@Test
	void acquireDuringAPausedServerFailsCleanlyAndLeavesNoLockBeyondTheLease() throws Exception {
		Duration lease = Duration.ofSeconds(2);
		LockProvider provider = RedisTestConnections.provider(server.port(), Duration.ofMillis(500));
		Instance other = newInstance(lease);
		try {
			LockRequest request = new LockRequest(lockName(), "k", lockName(), Duration.ofSeconds(1), lease);
			provider.acquire(new LockRequest(lockName(), "warm-up", lockName(), Duration.ZERO, lease)).orElseThrow().release();
			server.pause();
			long pausedAt = System.nanoTime();
			try {
				assertThatThrownBy(() -> provider.acquire(request)).isInstanceOf(IllegalStateException.class)
					.hasMessageContaining("'" + lockName() + "' with key 'k'");
				assertThat(Duration.ofNanos(System.nanoTime() - pausedAt)).isLessThan(Duration.ofMillis(500).plus(slack()));
				Thread.sleep(500); // paused well beyond the command timeout
			}
			finally {
				server.resume();
			}
			long resumedAt = System.nanoTime();
			// the acquire may have run when the server woke up: its clean-up, queued behind it, deletes it;
			// at the latest the lease frees it
			try (LockHandle next = other.template.tryAcquire(lockName(), "k", lease.plus(slack())).orElseThrow()) {
				assertThat(Duration.ofNanos(System.nanoTime() - resumedAt)).isLessThanOrEqualTo(lease.plus(slack()));
				assertThat(next.isHeld()).isTrue();
			}
		}
		finally {
			((AutoCloseable) provider).close();
		}
	}

	@Test
	void holderCutOffByAPartitionLearnsItsLeaseIsLostBeforeItEnds() throws Exception {
		Duration lease = Duration.ofSeconds(4);
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", server.port())) {
			LockProvider partitioned = RedisTestConnections.provider(proxy.port(), Duration.ofMillis(500));
			try (io.distlock.core.LockTemplate template = new io.distlock.core.LockTemplate(partitioned, Duration.ZERO, lease)) {
				long before = System.nanoTime();
				LockHandle handle = template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
				proxy.cut();
				while (handle.isHeld() && System.nanoTime() - before < lease.plus(slack()).toNanos()) {
					Thread.sleep(10);
				}
				long learnedAt = System.nanoTime();
				assertThat(handle.isHeld()).isFalse();
				assertThat(Duration.ofNanos(learnedAt - before)).as("learned before the lease ended").isLessThan(lease);
				Instance other = newInstance(lease);
				try (LockHandle next = other.template.tryAcquire(lockName(), "k", lease.plus(slack())).orElseThrow()) {
					assertThat(System.nanoTime() - before).as("not before the lease ended").isGreaterThanOrEqualTo(lease.toNanos() - TimeUnit.MILLISECONDS.toNanos(50));
					assertThat(next.fencingToken()).isGreaterThan(handle.fencingToken());
				}
			}
			finally {
				((AutoCloseable) partitioned).close();
			}
		}
	}

	@Test
	void keysFollowTheDocumentedLayoutUnderTheKeyPrefix() throws Exception {
		LockProvider provider = newInstance().provider;
		String name = lockName();
		LockRequest request = new LockRequest(name, "order:42", "app:" + name, Duration.ZERO, Duration.ofSeconds(30));
		var lease = provider.acquire(request).orElseThrow();
		String lockKey = "app:{" + name.replace(":", "%3A") + ":order:42}";
		assertThat(redis().keys("app:{" + name + "*")).containsExactlyInAnyOrder(lockKey, lockKey + ":token");
		assertThat(redis().get(lockKey)).as("owner").isNotBlank().doesNotContain("|w");
		assertThat(redis().get(lockKey + ":token")).isEqualTo(Long.toString(lease.fencingToken()));
		assertThat(redis().pttl(lockKey)).isPositive().isLessThanOrEqualTo(30_000);
		lease.release();
		assertThat(redis().exists(lockKey)).isZero();
		assertThat(redis().exists(lockKey + ":token")).isOne();
	}

	@Test
	void awkwardKeysWorkAndStayDistinct() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		String longKey = "x".repeat(10 * 1024);
		List<String> keys = List.of("with space", "a:b:c", "{tag}", "}{", "{", "%7B", "ключ 🔒 键", longKey, longKey + "y", "");
		List<LockHandle> held = new ArrayList<>();
		for (String key : keys) {
			LockHandle handle = first.template.tryAcquire(lockName(), key, Duration.ZERO).orElseThrow(() -> new AssertionError("key " + key.length()));
			held.add(handle);
			assertThat(second.template.tryAcquire(lockName(), key, Duration.ZERO)).as("excluded: %.40s", key).isEmpty();
		}
		// name/key boundaries are not ambiguous: name "n:a" + key "b" is not name "n" + key "a:b"
		try (LockHandle other = second.template.tryAcquire(lockName() + ":a", "b:c", Duration.ZERO).orElseThrow()) {
			assertThat(other.isHeld()).isTrue();
		}
		assertThat(redis().keys("*")).allSatisfy((k) -> assertThat(k.length()).isLessThan(400));
		for (LockHandle handle : held) {
			handle.close();
		}
		for (String key : keys) {
			second.template.tryAcquire(lockName(), key, Duration.ZERO).orElseThrow().close();
		}
	}

	@Test
	void releaseAnnouncesOnlyLocksThatSomeoneAwaits() throws Exception {
		BlockingQueue<String> messages = new LinkedBlockingQueue<>();
		try (StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub()) {
			pubSub.addListener(new RedisPubSubAdapter<>() {
				@Override
				public void message(String channel, String message) {
					messages.add(message);
				}
			});
			pubSub.sync().subscribe(RedisLockProvider.DEFAULT_CHANNEL);
			Instance first = newInstance();
			Instance second = newInstance();
			first.template.tryAcquire(lockName(), "quiet", Duration.ZERO).orElseThrow().close();
			LockHandle held = first.template.tryAcquire(lockName(), "awaited", Duration.ZERO).orElseThrow();
			assertThat(second.template.tryAcquire(lockName(), "awaited", Duration.ofMillis(100))).isEmpty();
			held.close();
			String message = messages.poll(5, TimeUnit.SECONDS);
			assertThat(message).contains("awaited");
			assertThat(messages.poll(200, TimeUnit.MILLISECONDS)).as("no message for the quiet lock").isNull();
		}
	}

	@Test
	void waitingAcquireWakesOnReleaseNotOnTheLeaseEnd() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		Duration longLease = Duration.ofSeconds(60);
		LockHandle held = first.template.tryAcquire(lockName(), "k", Duration.ZERO, longLease).orElseThrow();
		var waiter = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
			Optional<LockHandle> h = second.template.tryAcquire(lockName(), "k", Duration.ofSeconds(30), longLease);
			h.ifPresent(LockHandle::close);
			return h.isPresent();
		});
		Thread.sleep(300);
		long releasedAt = System.nanoTime();
		held.close();
		assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - releasedAt)).isLessThan(slack());
	}
}
