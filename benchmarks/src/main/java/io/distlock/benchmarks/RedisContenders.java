package io.distlock.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/** The Redis contenders: Redisson, Spring Integration (spin and pub/sub), and the raw limit. */
final class RedisContenders {

	static final String BACKEND = "redis";

	private static final String COMPARE_AND_DELETE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

	private RedisContenders() {
	}

	static List<Contender> all(BenchmarkConfig config) {
		List<Contender> list = new ArrayList<>(OursContenders.forBackend(BACKEND, config));
		list.add(Contender.peer(BACKEND, "redisson", (app) -> redisson(app, false)));
		list.add(Contender.peer(BACKEND, "redisson fair (RFairLock)", (app) -> redisson(app, true)).asFair());
		list.add(Contender.peer(BACKEND, "spring-integration spin", (app) -> springIntegration(app, RedisLockType.SPIN_LOCK)));
		list.add(Contender.peer(BACKEND, "spring-integration pub/sub", (app) -> springIntegration(app, RedisLockType.PUB_SUB_LOCK)));
		list.add(Contender.raw(BACKEND, "raw SET NX PX + EVAL", (app) -> raw(app, config)));
		return list;
	}

	/** Redisson's RLock (or its RFairLock) with its watchdog (no lease given), as most users call it. */
	private static LockClient redisson(AppInstance app, boolean fair) throws Exception {
		Config config = new Config();
		List<String> addresses = app.redisNodes().stream().map((node) -> "redis://" + node).toList();
		if (app.redisCluster()) {
			config.useClusterServers().addNodeAddress(addresses.toArray(String[]::new));
		}
		else {
			config.useSingleServer().setAddress(addresses.get(0));
		}
		RedissonClient client = Redisson.create(config);
		return LockClient.of((key, wait) -> {
			RLock lock = fair ? client.getFairLock("redisson-fair:" + key) : client.getLock("redisson:" + key);
			if (!lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
				throw LockClient.notAcquired(key, wait);
			}
			return lock::unlock;
		}, client::shutdown);
	}

	private static LockClient springIntegration(AppInstance app, RedisLockType type) throws Exception {
		RedisLockRegistry registry = new RedisLockRegistry(app.lettuceConnectionFactory(), "si-" + type, Duration.ofSeconds(30));
		registry.setRedisLockType(type);
		return LockClient.of(PeerLocks.of(registry), registry::destroy);
	}

	/**
	 * The limit of any Redis lock: one {@code SET NX PX} to take it (retried after a short pause while
	 * taken) and one {@code EVAL} compare-and-delete to free it. No renewal, no fencing token.
	 */
	private static LockClient raw(AppInstance app, BenchmarkConfig config) throws Exception {
		RedisClusterCommands<String, String> redis = app.redisCommands();
		return LockClient.of((key, wait) -> {
			String redisKey = "raw:" + key;
			String owner = UUID.randomUUID().toString();
			long deadline = System.nanoTime() + wait.toNanos();
			while (!"OK".equals(redis.set(redisKey, owner, SetArgs.Builder.nx().px(30_000)))) {
				Spin.backOff(config, key, wait, deadline);
			}
			return () -> redis.eval(COMPARE_AND_DELETE, ScriptOutputType.INTEGER, new String[] { redisKey }, owner);
		}, null);
	}
}
