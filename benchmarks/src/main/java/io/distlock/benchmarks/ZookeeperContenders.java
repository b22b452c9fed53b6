package io.distlock.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.springframework.integration.zookeeper.lock.ZookeeperLockRegistry;

/**
 * The ZooKeeper contenders: Curator's InterProcessMutex and Spring Integration's registry. ZooKeeper
 * has no cheaper raw lock than an ephemeral-sequential node and a watch, which is what
 * InterProcessMutex does, so it doubles as the raw limit.
 */
final class ZookeeperContenders {

	static final String BACKEND = "zookeeper";

	private ZookeeperContenders() {
	}

	static List<Contender> all(BenchmarkConfig config) {
		List<Contender> list = new ArrayList<>(OursContenders.forBackend(BACKEND, config));
		list.add(Contender.peer(BACKEND, "curator InterProcessMutex", ZookeeperContenders::curator));
		list.add(Contender.peer(BACKEND, "spring-integration zookeeper", ZookeeperContenders::springIntegration));
		return list;
	}

	private static LockClient curator(AppInstance app) throws Exception {
		CuratorFramework client = app.curator();
		// one mutex per key and instance, shared by the instance's threads (it tracks holders per thread)
		Map<String, InterProcessMutex> mutexes = new ConcurrentHashMap<>();
		return LockClient.of((key, wait) -> {
			InterProcessMutex mutex = mutexes.computeIfAbsent(key, (k) -> new InterProcessMutex(client, "/bench-curator/" + k));
			if (!mutex.acquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
				throw LockClient.notAcquired(key, wait);
			}
			return mutex::release;
		}, null);
	}

	private static LockClient springIntegration(AppInstance app) throws Exception {
		ZookeeperLockRegistry registry = new ZookeeperLockRegistry(app.curator(), "/bench-si");
		return LockClient.of(PeerLocks.of(registry), registry::destroy);
	}
}
