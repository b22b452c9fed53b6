package io.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.RenewalResult;
import io.distlock.testsupport.AbstractCrossProcessLockProviderTest;
import io.distlock.testsupport.ChildJvm;
import io.distlock.testsupport.TcpProxy;
import io.distlock.core.LockTemplate;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
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

	/** Background waiters block: a thread each (the common pool may have one worker on two CPUs). */
	private static final java.util.concurrent.Executor THREAD_PER_TASK = (task) -> {
		Thread thread = new Thread(task, "test-waiter");
		thread.setDaemon(true);
		thread.start();
	};

	/** An operator deletes the lock's key. */
	@Override
	protected void deleteLockRecord(Instance holder, String name, String key) {
		redis().del(RedisLockKeys.of(new LockRequest(name, key, name, Duration.ZERO, Duration.ofSeconds(1))).lockKey());
	}


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
		var waiting = CompletableFuture.supplyAsync(() -> {
			Optional<LockHandle> h = waiter.template.tryAcquire(lockName(), "k", Duration.ofSeconds(40), longLease);
			h.ifPresent(LockHandle::close);
			return h.isPresent();
		}, THREAD_PER_TASK);
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
	void acquireDuringAPausedServerFailsCleanlyAndItsCleanUpFreesTheLockLongBeforeItsLease() throws Exception {
		// a lease far longer than the test: only the clean-up queued behind the timed-out acquire can free the lock
		Duration lease = Duration.ofSeconds(60);
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
			// the server runs the acquire when it wakes up (it takes the lock for 60s), then the clean-up behind it
			try (LockHandle next = other.template.tryAcquire(lockName(), "k", Duration.ofSeconds(10)).orElseThrow()) {
				assertThat(Duration.ofNanos(System.nanoTime() - resumedAt)).isLessThan(slack().multipliedBy(2));
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
		// colons in the name are encoded (the first colon of the tag separates name and key); in the key they stay
		String name = lockName() + ":part";
		LockRequest request = new LockRequest(name, "order:42", "app:" + name, Duration.ZERO, Duration.ofSeconds(30));
		var lease = provider.acquire(request).orElseThrow();
		String lockKey = "app:{" + lockName() + "%3Apart:order:42}";
		assertThat(redis().keys("app:{" + lockName() + "*")).containsExactlyInAnyOrder(lockKey, lockKey + ":token");
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
		var waiter = CompletableFuture.supplyAsync(() -> {
			Optional<LockHandle> h = second.template.tryAcquire(lockName(), "k", Duration.ofSeconds(30), longLease);
			h.ifPresent(LockHandle::close);
			return h.isPresent();
		}, THREAD_PER_TASK);
		Thread.sleep(300);
		long releasedAt = System.nanoTime();
		held.close();
		assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - releasedAt)).isLessThan(slack());
	}

	private static String lockKeyOf(String name, String key) {
		return RedisLockKeys.of(new LockRequest(name, key, name, Duration.ZERO, Duration.ofSeconds(1))).lockKey();
	}

	private static TcpProxy.Link awaitLinkThatSent(TcpProxy proxy, String text, TcpProxy.Link other) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (System.nanoTime() < deadline) {
			Optional<TcpProxy.Link> link = proxy.linksThatSent(text).stream().filter((l) -> l != other).findFirst();
			if (link.isPresent()) {
				return link.get();
			}
			Thread.sleep(20);
		}
		throw new AssertionError("no connection through the proxy sent " + text + " within 20s");
	}

	private static void awaitSubscriptionState(LockProvider provider, String state) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		Object seen = null;
		while (System.nanoTime() < deadline) {
			seen = provider.checkHealth().get("releaseSubscription");
			if (state.equals(seen)) {
				return;
			}
			Thread.sleep(20);
		}
		throw new AssertionError("release subscription not " + state + " within 20s; last seen: " + seen);
	}

	/** Waits on {@code template} in the background; the future gives the nanoTime at which it acquired. */
	private static CompletableFuture<Long> waitInBackground(LockTemplate template, String name, Duration lease) {
		return CompletableFuture.supplyAsync(() -> {
			try (LockHandle h = template.tryAcquire(name, "k", Duration.ofSeconds(40), lease).orElseThrow()) {
				return System.nanoTime();
			}
		}, THREAD_PER_TASK);
	}

	@Test
	void waiterWhoseReleaseMessageIsLostAcquiresWithinAboutASecond() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		Duration longLease = Duration.ofSeconds(60);
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO, longLease).orElseThrow();
		CompletableFuture<Long> acquiredAt = waitInBackground(waiter.template, lockName(), longLease);
		Thread.sleep(1000); // waiting and subscribed
		long freedAt = System.nanoTime();
		redis().del(lockKeyOf(lockName(), "k")); // the lock is free, and no message says so: as if it was lost
		assertThat(Duration.ofNanos(acquiredAt.get(60, TimeUnit.SECONDS) - freedAt)).isLessThan(Duration.ofSeconds(1).plus(slack()));
		held.close(); // finds another owner's lock: does nothing
	}

	@Test
	void silentlyDeadSubscriptionIsDetectedReplacedAndWaitersDoNotDependOnIt() throws Exception {
		Instance holder = newInstance();
		Duration longLease = Duration.ofSeconds(60);
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", server.port())) {
			RedisLockProvider provider = RedisTestConnections.provider(proxy.port(), Duration.ofMillis(500));
			try (LockTemplate waiter = new LockTemplate(provider, Duration.ZERO, longLease)) {
				LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO, longLease).orElseThrow();
				CompletableFuture<Long> acquiredAt = waitInBackground(waiter, lockName(), longLease);
				TcpProxy.Link subscription = awaitLinkThatSent(proxy, "SUBSCRIBE", null);
				Thread.sleep(300);
				subscription.blackhole(); // open, silent: no error, no reconnect, messages vanish
				long releasedAt = System.nanoTime();
				held.close(); // its message is lost on the dead connection
				assertThat(Duration.ofNanos(acquiredAt.get(60, TimeUnit.SECONDS) - releasedAt)).isLessThan(Duration.ofSeconds(1).plus(slack()));
				// the periodic ping finds the dead connection; a new subscription replaces it
				awaitLinkThatSent(proxy, "SUBSCRIBE", subscription);
				awaitSubscriptionState(provider, "subscribed");
				// and hand-over by message works again (well under the one-second poll)
				LockHandle again = holder.template.tryAcquire(lockName(), "k", Duration.ZERO, longLease).orElseThrow();
				CompletableFuture<Long> next = waitInBackground(waiter, lockName(), longLease);
				Thread.sleep(300);
				long releasedAgainAt = System.nanoTime();
				again.close();
				assertThat(Duration.ofNanos(next.get(60, TimeUnit.SECONDS) - releasedAgainAt)).isLessThan(Duration.ofSeconds(1).plus(slack()));
			}
			finally {
				provider.close();
			}
		}
	}

	@Test
	void cutSubscriptionIsRenewedAndAReleaseMissedMeanwhileDoesNotStrandTheWaiter() throws Exception {
		Instance holder = newInstance();
		Duration longLease = Duration.ofSeconds(60);
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", server.port())) {
			RedisLockProvider provider = RedisTestConnections.provider(proxy.port(), Duration.ofMillis(500));
			try (LockTemplate waiter = new LockTemplate(provider, Duration.ZERO, longLease)) {
				holder.template.tryAcquire(lockName(), "k", Duration.ZERO, longLease).orElseThrow();
				CompletableFuture<Long> acquiredAt = waitInBackground(waiter, lockName(), longLease);
				TcpProxy.Link subscription = awaitLinkThatSent(proxy, "SUBSCRIBE", null);
				Thread.sleep(300);
				subscription.close(); // the subscription connection drops
				long freedAt = System.nanoTime();
				redis().del(lockKeyOf(lockName(), "k")); // freed while it is down: no message can reach the waiter
				assertThat(Duration.ofNanos(acquiredAt.get(60, TimeUnit.SECONDS) - freedAt)).isLessThan(Duration.ofSeconds(1).plus(slack()));
				awaitLinkThatSent(proxy, "SUBSCRIBE", subscription);
				awaitSubscriptionState(provider, "subscribed");
			}
			finally {
				provider.close();
			}
		}
	}

	@Test
	void replayedAcquireFindsItsOwnLockAndReturnsItsToken() {
		// Lettuce re-sends a command that was in flight when its connection dropped: the script runs twice
		RedisLockKeys keys = RedisLockKeys.of(new LockRequest(lockName(), "k", lockName(), Duration.ZERO, Duration.ofSeconds(30)));
		String[] redisKeys = { keys.lockKey(), keys.tokenKey() };
		String[] args = { "replayed-owner", "30000", "3600000", "1" };
		Long first = redis().eval(RedisLockScripts.ACQUIRE.text(), ScriptOutputType.INTEGER, redisKeys, args);
		Long replay = redis().eval(RedisLockScripts.ACQUIRE.text(), ScriptOutputType.INTEGER, redisKeys, args);
		assertThat(first).isPositive();
		assertThat(replay).as("a replayed acquire that had already succeeded").isEqualTo(first);
		assertThat(redis().get(keys.lockKey())).as("not marked as awaited by its own holder").isEqualTo("replayed-owner");
		String[] release = { "replayed-owner", RedisLockProvider.DEFAULT_CHANNEL };
		assertThat(redis().<Long>eval(RedisLockScripts.RELEASE.text(), ScriptOutputType.INTEGER, new String[] { keys.lockKey() }, release)).isOne();
		assertThat(redis().<Long>eval(RedisLockScripts.RELEASE.text(), ScriptOutputType.INTEGER, new String[] { keys.lockKey() }, release)).isZero();
		assertThat(redis().exists(keys.lockKey())).isZero();
		String[] other = { "another-owner", "30000", "3600000", "0" };
		assertThat(redis().<Long>eval(RedisLockScripts.ACQUIRE.text(), ScriptOutputType.INTEGER, redisKeys, other)).isGreaterThan(first);
	}

	@Test
	void renewalHeldBackPastTheLossDeadlineCannotExtendTheLeaseDeclaredLost() throws Exception {
		Duration lease = Duration.ofSeconds(6);
		String lockKey = lockKeyOf(lockName(), "k");
		// held-back renewals go out by digest: the server must know the script, as it does after the first renewal
		redis().scriptLoad(RedisLockScripts.RENEW.text());
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", server.port())) {
			RedisLockProvider provider = RedisTestConnections.provider(proxy.port(), Duration.ofMillis(500));
			try (LockTemplate template = new LockTemplate(provider, Duration.ZERO, lease)) {
				LockHandle handle = template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
				TcpProxy.Link commands = proxy.links().get(0); // the holder never waits: its only connection
				commands.holdBack(); // every renewal from now on waits in the network, in order
				long deadline = System.nanoTime() + lease.plus(slack()).toNanos();
				while (handle.isHeld() && System.nanoTime() < deadline) {
					Thread.sleep(10);
				}
				assertThat(handle.isHeld()).as("declared lost").isFalse();
				long ttlAtLoss = redis().pttl(lockKey);
				assertThat(ttlAtLoss).as("declared lost before the lease ended on the server").isPositive();
				assertThat(commands.hasHeldBackBytes()).as("renewals are held back").isTrue();
				Thread.sleep(100); // let whatever the holder sends on losing the lease join the queue
				commands.deliver(); // the delayed renewals reach the server after the holder gave the lease up
				long maxTtl = 0;
				long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttlAtLoss) + slack().toNanos();
				while (redis().exists(lockKey) == 1 && System.nanoTime() < until) {
					maxTtl = Math.max(maxTtl, redis().pttl(lockKey));
					Thread.sleep(5);
				}
				assertThat(maxTtl).as("remaining lease after the delayed renewals arrived").isLessThanOrEqualTo(ttlAtLoss);
				assertThat(redis().exists(lockKey)).isZero();
			}
			finally {
				provider.close();
			}
		}
	}

	@Test
	void tokenCounterOutlivesItsLockByHoursNotDays() throws Exception {
		LockTemplate template = newInstance().template;
		template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow().close();
		String tokenKey = lockKeyOf(lockName(), "k") + ":token";
		assertThat(Duration.ofMillis(redis().pttl(tokenKey))).isPositive().isLessThanOrEqualTo(Duration.ofHours(24));
	}

	private static long scriptCalls() {
		String stats = redis().info("commandstats");
		long calls = 0;
		for (String line : stats.split("\r?\n")) {
			if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
				calls += Long.parseLong(line.replaceAll("^cmdstat_[a-z]+:calls=([0-9]+),.*$", "$1").trim());
			}
		}
		return calls;
	}

	private static LockRequest request(String name, String key, Duration wait, Duration lease, boolean fair) {
		return new LockRequest(name, key, name, wait, lease, fair);
	}

	@Test
	void renewAllRenewsEveryLeaseInOneScriptCallPerFiveHundred() throws Exception {
		LockProvider provider = newInstance().provider;
		List<LockLease> leases = new ArrayList<>();
		for (int i = 0; i < 1200; i++) {
			leases.add(provider.acquire(request(lockName(), "k" + i, Duration.ZERO, Duration.ofSeconds(5), false)).orElseThrow());
		}
		provider.renewAll(leases, Duration.ofSeconds(5)); // the first round also loads the script (NOSCRIPT, then EVAL)
		LockLease released = leases.get(7);
		released.release();
		redis().del(lockKeyOf(lockName(), "k8")); // gone, as after expiry or a FLUSHALL
		long before = scriptCalls();
		List<RenewalResult> results = provider.renewAll(leases, Duration.ofSeconds(60));
		long calls = scriptCalls() - before;
		assertThat(calls).as("script calls for 1200 leases").isEqualTo(3);
		assertThat(results).hasSize(1200);
		assertThat(results.get(7).isRefused()).isTrue();
		assertThat(results.get(8).isRefused()).isTrue();
		assertThat(results.stream().filter(RenewalResult::isRenewed).count()).isEqualTo(1198);
		assertThat(redis().pttl(lockKeyOf(lockName(), "k1199"))).isGreaterThan(5000);
		for (LockLease lease : leases) {
			lease.release();
		}
	}

	@Test
	void releaseAfterKeepsTheLockForTheHoldByTheServerClockAndNothingExtendsIt() throws Exception {
		LockProvider holder = newInstance().provider;
		LockProvider other = newInstance().provider;
		LockRequest request = request(lockName(), "k", Duration.ZERO, Duration.ofSeconds(30), false);
		LockLease lease = holder.acquire(request).orElseThrow();
		String lockKey = lockKeyOf(lockName(), "k");
		String owner = redis().get(lockKey);
		long releasedAt = System.nanoTime();
		assertThat(lease.releaseAfter(Duration.ofMillis(2000))).isTrue();
		assertThat(redis().pttl(lockKey)).isPositive().isLessThanOrEqualTo(2000);
		assertThat(other.acquire(request)).as("held for the minimum").isEmpty();
		// a renewal sent before the release and arriving after it, and a replayed release: neither extends the hold
		assertThat(lease.renew(Duration.ofSeconds(30))).isFalse();
		List<Long> late = redis().eval(RedisLockScripts.RENEW.text(), ScriptOutputType.MULTI, new String[] { lockKey }, "30000", owner);
		assertThat(late).containsExactly(0L);
		Thread.sleep(300);
		long ttl = redis().pttl(lockKey);
		redis().eval(RedisLockScripts.RELEASE_AFTER.text(), ScriptOutputType.INTEGER, new String[] { lockKey }, owner, "2000");
		assertThat(redis().pttl(lockKey)).isLessThanOrEqualTo(ttl);
		try (LockHandle next = newInstance().template.tryAcquire(lockName(), "k", Duration.ofSeconds(10)).orElseThrow()) {
			Duration freedAfter = Duration.ofNanos(System.nanoTime() - releasedAt);
			assertThat(freedAfter).isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(Duration.ofMillis(2000).plus(slack()));
			assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
		}
	}

	@Test
	void fairWaitersOfDifferentInstancesAcquireInTheOrderTheyStartedWaiting() throws Exception {
		LockProvider holderProvider = newInstance().provider;
		LockLease held = holderProvider.acquire(request(lockName(), "k", Duration.ZERO, Duration.ofSeconds(30), true)).orElseThrow();
		List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
		List<CompletableFuture<Void>> waiters = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			LockProvider provider = newInstance().provider;
			String name = "w" + i;
			waiters.add(CompletableFuture.runAsync(() -> {
				try {
					LockLease lease = provider.acquire(request(lockName(), "k", Duration.ofSeconds(60), Duration.ofSeconds(30), true)).orElseThrow();
					order.add(name);
					Thread.sleep(50);
					lease.release();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			}, THREAD_PER_TASK));
			// each is in the queue before the next starts
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			while (redis().llen(lockKeyOf(lockName(), "k") + ":queue") < i + 1 && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
		}
		assertThat(redis().lrange(lockKeyOf(lockName(), "k") + ":queue", 0, -1)).hasSize(4);
		held.release();
		CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
		assertThat(order).containsExactly("w0", "w1", "w2", "w3");
		assertThat(redis().exists(lockKeyOf(lockName(), "k") + ":queue", lockKeyOf(lockName(), "k") + ":waiters")).isZero();
	}

	@Test
	void fairTryOnceDoesNotJumpTheQueueAndAGoneWaiterDropsOutWithinSeconds() throws Exception {
		LockProvider holder = newInstance().provider;
		String lockKey = lockKeyOf(lockName(), "k");
		LockLease held = holder.acquire(request(lockName(), "k", Duration.ZERO, Duration.ofSeconds(60), true)).orElseThrow();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", server.port())) {
			RedisLockProvider gone = RedisTestConnections.provider(proxy.port(), Duration.ofMillis(500));
			try {
				CompletableFuture.runAsync(() -> {
					try {
						gone.acquire(request(lockName(), "k", Duration.ofSeconds(60), Duration.ofSeconds(30), true));
					}
					catch (Exception ex) {
						// cut off: it cannot even leave the queue
					}
				}, THREAD_PER_TASK);
				while (redis().llen(lockKey + ":queue") < 1) {
					Thread.sleep(10);
				}
				LockProvider live = newInstance().provider;
				CompletableFuture<Long> liveAcquiredAt = CompletableFuture.supplyAsync(() -> {
					try {
						LockLease lease = live.acquire(request(lockName(), "k", Duration.ofSeconds(60), Duration.ofSeconds(30), true)).orElseThrow();
						lease.release();
						return System.nanoTime();
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
				}, THREAD_PER_TASK);
				while (redis().llen(lockKey + ":queue") < 2) {
					Thread.sleep(10);
				}
				proxy.cut(); // the first waiter is gone without a word
				held.release();
				long releasedAt = System.nanoTime();
				// the lock is free, but two waiters queue: a caller that does not wait does not get it
				assertThat(newInstance().provider.acquire(request(lockName(), "k", Duration.ZERO, Duration.ofSeconds(30), true))).isEmpty();
				assertThat(Duration.ofNanos(liveAcquiredAt.get(60, TimeUnit.SECONDS) - releasedAt)).as("the next live waiter's turn came after")
					.isLessThan(Duration.ofSeconds(5).plus(Duration.ofSeconds(1)).plus(slack()));
			}
			finally {
				gone.close();
			}
		}
	}

	@Test
	void replayedFairAcquireFindsItsOwnLockAndQueuesOnce() {
		RedisLockKeys keys = RedisLockKeys.of(request(lockName(), "k", Duration.ZERO, Duration.ofSeconds(30), true));
		String[] redisKeys = { keys.lockKey(), keys.tokenKey(), keys.queueKey(), keys.waitersKey() };
		String[] first = { "first-owner", "30000", "3600000", "1", "5000" };
		String[] second = { "second-owner", "30000", "3600000", "1", "5000" };
		Long token = redis().eval(RedisLockScripts.FAIR_ACQUIRE.text(), ScriptOutputType.INTEGER, redisKeys, first);
		assertThat(redis().<Long>eval(RedisLockScripts.FAIR_ACQUIRE.text(), ScriptOutputType.INTEGER, redisKeys, first)).isEqualTo(token);
		assertThat(redis().<Long>eval(RedisLockScripts.FAIR_ACQUIRE.text(), ScriptOutputType.INTEGER, redisKeys, second)).isNegative();
		assertThat(redis().<Long>eval(RedisLockScripts.FAIR_ACQUIRE.text(), ScriptOutputType.INTEGER, redisKeys, second)).isNegative();
		assertThat(redis().lrange(keys.queueKey(), 0, -1)).containsExactly("second-owner");
		assertThat(redis().pttl(keys.queueKey())).isPositive().isLessThanOrEqualTo(5000);
	}

	@Test
	void healthReportsVersionModePolicyAndTheReleaseSubscription() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		assertThat(waiter.provider.checkHealth()).containsEntry("mode", "standalone").containsEntry("maxmemoryPolicy", "noeviction")
			.containsEntry("releaseSubscription", "idle").containsKey("version");
		try (LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
			assertThat(waiter.template.tryAcquire(lockName(), "k", Duration.ofMillis(500))).isEmpty();
		}
		awaitSubscriptionState(waiter.provider, "subscribed");
		RedisLockProvider unreachable = RedisTestConnections.provider(closedPort(), Duration.ofMillis(500));
		try {
			assertThatThrownBy(unreachable::checkHealth).isInstanceOf(RuntimeException.class);
		}
		finally {
			unreachable.close();
		}
	}

	@Test
	void serverOlderThanTheScriptsNeedIsRefusedNamingBothVersions() {
		RedisServerInfo old = RedisServerInfo.of(RedisServerInfo.parse("# Server\r\nredis_version:4.0.14\r\nredis_mode:standalone\r\n"));
		assertThatThrownBy(old::checkSupported).isInstanceOf(IllegalStateException.class).hasMessageContaining("4.0.14")
			.hasMessageContaining(RedisServerInfo.MINIMUM_VERSION);
		RedisServerInfo.of(RedisServerInfo.parse(redis().info())).checkSupported(); // the server the tests run
		assertThat(RedisServerInfo.of(java.util.Map.of("redis_version", "5.0.0")).isOlderThan(RedisServerInfo.MINIMUM_VERSION)).isFalse();
		assertThat(RedisServerInfo.of(java.util.Map.of("redis_version", "4.9.9")).isOlderThan(RedisServerInfo.MINIMUM_VERSION)).isTrue();
	}

	private static int closedPort() throws java.io.IOException {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Each distinct key leaves its token counter behind for the counter's time to live: measured with
	 * {@code INFO memory} before and after that many distinct keys ({@code -Dredis.memoryKeys}, default
	 * 20 000; the README gives a run with 100 000), taken and released through the real scripts.
	 */
	@Test
	void eachDistinctKeyLeavesOneSmallCounterForTheCounterTtl() throws Exception {
		int count = Integer.getInteger("redis.memoryKeys", 20_000);
		String name = "mem" + System.nanoTime() % 1_000_000; // a short name, like "payment": keys of 20-30 characters
		long before = Long.parseLong(RedisServerInfo.parse(redis().info("memory")).get("used_memory"));
		var async = connection.async();
		List<io.lettuce.core.RedisFuture<?>> sent = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			RedisLockKeys keys = RedisLockKeys.of(request(name, "o" + i, Duration.ZERO, Duration.ofSeconds(30), false));
			String owner = "owner-" + i;
			sent.add(async.eval(RedisLockScripts.ACQUIRE.text(), ScriptOutputType.INTEGER, new String[] { keys.lockKey(), keys.tokenKey() },
					owner, "30000", Long.toString(RedisLockProvider.DEFAULT_TOKEN_COUNTER_TTL.toMillis()), "0"));
			sent.add(async.eval(RedisLockScripts.RELEASE.text(), ScriptOutputType.INTEGER, new String[] { keys.lockKey() }, owner,
					RedisLockProvider.DEFAULT_CHANNEL));
		}
		for (var future : sent) {
			future.get(60, TimeUnit.SECONDS);
		}
		long after = Long.parseLong(RedisServerInfo.parse(redis().info("memory")).get("used_memory"));
		long perKey = (after - before) / count;
		System.out.println("Redis " + RedisServerInfo.parse(redis().info("server")).get("redis_version") + ": " + count
				+ " distinct keys left " + (after - before) + " bytes of used_memory, " + perKey + " bytes per key");
		assertThat(redis().keys("{" + name + ":o*")).hasSize(count).allSatisfy((key) -> assertThat(key).endsWith(":token"));
		String sample = RedisLockKeys.of(request(name, "o0", Duration.ZERO, Duration.ofSeconds(30), false)).tokenKey();
		assertThat(Duration.ofMillis(redis().pttl(sample))).isPositive().isLessThanOrEqualTo(RedisLockProvider.DEFAULT_TOKEN_COUNTER_TTL);
		assertThat(perKey).as("bytes per distinct key").isLessThan(150);
		for (int from = 0; from < count; from += 1000) {
			redis().del(java.util.stream.IntStream.range(from, Math.min(count, from + 1000))
				.mapToObj((i) -> RedisLockKeys.of(request(name, "o" + i, Duration.ZERO, Duration.ofSeconds(30), false)).tokenKey())
				.toArray(String[]::new));
		}
	}

	@Test
	void aConnectionFactoryOfAnotherKindFailsAtConstructionNamingIt() {
		org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory lettuce = RedisTestConnections.factory(server.port());
		try {
			// what a user's own wrapper looks like: the backend cannot reach the client behind it
			org.springframework.data.redis.connection.RedisConnectionFactory wrapper = new org.springframework.data.redis.connection.RedisConnectionFactory() {

				@Override
				public org.springframework.data.redis.connection.RedisConnection getConnection() {
					return lettuce.getConnection();
				}

				@Override
				public org.springframework.data.redis.connection.RedisClusterConnection getClusterConnection() {
					return lettuce.getClusterConnection();
				}

				@Override
				public boolean getConvertPipelineAndTxResults() {
					return lettuce.getConvertPipelineAndTxResults();
				}

				@Override
				public org.springframework.data.redis.connection.RedisSentinelConnection getSentinelConnection() {
					return lettuce.getSentinelConnection();
				}

				@Override
				public org.springframework.dao.DataAccessException translateExceptionIfPossible(RuntimeException ex) {
					return lettuce.translateExceptionIfPossible(ex);
				}
			};
			assertThatThrownBy(() -> new RedisLockProvider(wrapper)).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("LettuceConnectionFactory or a JedisConnectionFactory").hasMessageContaining(wrapper.getClass().getName());
		}
		finally {
			lettuce.destroy();
		}
	}
}
