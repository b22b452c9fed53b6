package io.distlock.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.LockTemplate;
import io.distlock.testsupport.AbstractLockProviderContractTest;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract through the Jedis gateway, on a real {@link JedisConnectionFactory}
 * (what a Jedis application gets): a pooled connection per call, NOSCRIPT fallback, a
 * subscription thread that blocks in Jedis, and Jedis' own socket timeouts.
 */
class JedisGatewayTest extends AbstractLockProviderContractTest {

	/** Background waiters block: a thread each (the common pool may have one worker on two CPUs). */
	private static final java.util.concurrent.Executor THREAD_PER_TASK = (task) -> {
		Thread thread = new Thread(task, "test-waiter");
		thread.setDaemon(true);
		thread.start();
	};

	/** An operator deletes the lock's key. */
	@Override
	protected void deleteLockRecord(Instance holder, String name, String key) throws Exception {
		String lockKey = RedisLockKeys.of(new LockRequest(name, key, name, Duration.ZERO, Duration.ofSeconds(1))).lockKey();
		RedisClient client = RedisClient.create("redis://127.0.0.1:" + RedisServerProcess.shared().port());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().del(lockKey);
		}
		finally {
			client.shutdown();
		}
	}

	@Override
	protected LockProvider createProvider() throws Exception {
		JedisConnectionFactory factory = RedisTestConnections.jedisFactory(RedisServerProcess.shared().port(), null, null, Duration.ofSeconds(2));
		return RedisTestConnections.provider(factory, Duration.ofSeconds(2));
	}

	@Test
	void aJedisFactoryGetsTheJedisGateway() throws Exception {
		JedisConnectionFactory factory = RedisTestConnections.jedisFactory(RedisServerProcess.shared().port(), null, null, Duration.ofSeconds(2));
		try (RedisGateway gateway = RedisGateway.of(factory)) {
			assertThat(gateway).isInstanceOf(JedisGateway.class);
		}
		finally {
			factory.destroy();
		}
	}

	@Test
	void commandTimeoutIsHonouredWhateverTheFactorysReadTimeout() throws Exception {
		try (RedisServerProcess own = RedisServerProcess.start()) {
			JedisConnectionFactory factory = RedisTestConnections.jedisFactory(own.port(), null, null, Duration.ofSeconds(30));
			RedisLockProvider provider = RedisTestConnections.provider(factory, Duration.ofMillis(500));
			try {
				provider.acquire(new LockRequest(lockName(), "warm-up", lockName(), Duration.ZERO, Duration.ofSeconds(5))).orElseThrow().release();
				own.pause();
				try {
					long start = System.nanoTime();
					LockRequest request = new LockRequest(lockName(), "k", lockName(), Duration.ZERO, Duration.ofSeconds(5));
					assertThatThrownBy(() -> provider.acquire(request)).isInstanceOf(IllegalStateException.class)
						.hasMessageContaining("'" + lockName() + "' with key 'k'");
					assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500).plus(slack()));
				}
				finally {
					own.resume();
				}
			}
			finally {
				provider.close();
			}
		}
	}

	@Test
	void userWithoutChannelRightsGetsOneWarningAndPollsWithoutLeakingThreads() throws Exception {
		int port = RedisServerProcess.shared().port();
		String user = "no-channels-" + System.nanoTime();
		RedisClient admin = RedisClient.create("redis://127.0.0.1:" + port);
		try (StatefulRedisConnection<String, String> connection = admin.connect(); LogCapture logs = new LogCapture()) {
			connection.sync().aclSetuser(user, AclSetuserArgs.Builder.on().addPassword("secret").allKeys().allCommands().resetChannels());
			Instance holder = newInstance();
			RedisLockProvider limited = RedisTestConnections.provider(RedisTestConnections.jedisFactory(port, user, "secret", Duration.ofSeconds(2)),
					Duration.ofSeconds(2));
			try (LockTemplate waiter = new LockTemplate(limited, Duration.ZERO, Duration.ofSeconds(30))) {
				long threadsBefore = lockThreads();
				LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
				CompletableFuture<Long> acquiredAt = CompletableFuture.supplyAsync(() -> {
					try (LockHandle h = waiter.tryAcquire(lockName(), "k", Duration.ofSeconds(40)).orElseThrow()) {
						return System.nanoTime();
					}
				}, THREAD_PER_TASK);
				Thread.sleep(2500); // a subscription attempt fails: SUBSCRIBE is refused (NOPERM)
				long threadsMidway = lockThreads();
				Thread.sleep(2500);
				long threadsAfter = lockThreads();
				long releasedAt = System.nanoTime();
				held.close();
				assertThat(Duration.ofNanos(acquiredAt.get(60, TimeUnit.SECONDS) - releasedAt)).as("acquired by polling")
					.isLessThan(Duration.ofSeconds(1).plus(slack()));
				// the waiter, and this user's releases, work without the channel
				try (LockHandle h = waiter.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
					assertThat(h.isHeld()).isTrue();
				}
				assertThat(threadsAfter).as("threads of the lock backend: before %d, midway %d, after %d", threadsBefore, threadsMidway, threadsAfter)
					.isLessThanOrEqualTo(threadsMidway).isLessThanOrEqualTo(threadsBefore + 3);
				assertThat(logs.warnings()).filteredOn((w) -> w.contains(RedisLockProvider.DEFAULT_CHANNEL)).hasSize(1)
					.allSatisfy((w) -> assertThat(w).contains("NOPERM"));
				assertThat(limited.checkHealth()).containsEntry("releaseSubscription", "no-permission");
			}
			finally {
				limited.close();
				connection.sync().aclDeluser(user);
			}
		}
		finally {
			admin.shutdown();
		}
	}

	private static long lockThreads() {
		return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
			.filter((t) -> t.getName().startsWith("distributed-lock-redis")).count();
	}

	@Test
	void redisClusterThroughJedisFailsAtConstructionSayingToUseLettuce() {
		JedisConnectionFactory cluster = new JedisConnectionFactory(
				new org.springframework.data.redis.connection.RedisClusterConfiguration(java.util.List.of("127.0.0.1:7000")));
		assertThatThrownBy(() -> new RedisLockProvider(cluster)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("Redis Cluster through Jedis").hasMessageContaining("Lettuce");
	}
}
