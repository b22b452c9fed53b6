package io.distlock.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import io.distlock.testsupport.HistoryChecker;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An ensemble of three that loses two servers: no quorum, so nothing can be acquired; holders learn
 * they lost their locks once their sessions can no longer be confirmed; when the quorum returns,
 * acquisitions resume; at no time are there two holders.
 */
class ZookeeperQuorumTest {

	private static final Duration SESSION = ZookeeperTestSupport.SESSION;

	@Test
	void losingQuorumStopsAcquisitionsAndLosesHoldersWhichResumeWithTheQuorum() throws Exception {
		int tick = ZookeeperTestSupport.TICK_MS;
		try (TestingCluster cluster = new TestingCluster(ZookeeperTestSupport.spec(1, tick), ZookeeperTestSupport.spec(2, tick),
				ZookeeperTestSupport.spec(3, tick))) {
			cluster.start();
			HistoryChecker history = new HistoryChecker();
			try (CuratorFramework clientA = ZookeeperTestSupport.client(cluster.getConnectString(), SESSION);
					CuratorFramework clientB = ZookeeperTestSupport.client(cluster.getConnectString(), SESSION);
					ZookeeperLockProvider providerA = new ZookeeperLockProvider(clientA, ZookeeperTestSupport.BASE_PATH);
					ZookeeperLockProvider providerB = new ZookeeperLockProvider(clientB, ZookeeperTestSupport.BASE_PATH);
					LockTemplate a = new LockTemplate(providerA, Duration.ZERO, SESSION);
					LockTemplate b = new LockTemplate(providerB, Duration.ZERO, SESSION)) {
				LockHandle held = a.tryAcquire("quorum", "k", Duration.ZERO).orElseThrow();
				long heldSince = System.nanoTime();

				List<InstanceSpec> servers = new ArrayList<>(cluster.getInstances());
				cluster.killServer(servers.get(0));
				cluster.killServer(servers.get(1));

				// no new acquisitions without a quorum (a failure or a timeout, never a lock)
				CompletableFuture<Optional<LockHandle>> fresh = CompletableFuture.supplyAsync(() -> tryOnce(b, "fresh"));

				// the holder is told after its session timeout, well before the ensemble could give the lock away
				await().atMost(SESSION.multipliedBy(3)).until(() -> !held.isHeld());
				history.record("A", held.fencingToken(), heldSince, System.nanoTime(), true);
				assertThat(fresh.get(2, TimeUnit.MINUTES)).as("acquired without a quorum").isEmpty();

				cluster.restartServer(servers.get(0));
				cluster.restartServer(servers.get(1));

				// acquisitions resume; the old holder's node goes when the ensemble expires its old session
				LockHandle next = await().atMost(Duration.ofMinutes(1)).until(() -> tryOnce(b, "k", Duration.ofSeconds(5)), Optional::isPresent).get();
				long nextSince = System.nanoTime();
				held.close(); // late release: harmless
				assertThat(next.isHeld()).isTrue();
				assertThat(a.tryAcquire("quorum", "k", Duration.ZERO)).isEmpty();
				next.close();
				history.record("B", next.fencingToken(), nextSince, System.nanoTime(), false);
				history.assertValid();
			}
		}
	}

	private static Optional<LockHandle> tryOnce(LockTemplate template, String key) {
		return tryOnce(template, key, Duration.ofSeconds(1));
	}

	private static Optional<LockHandle> tryOnce(LockTemplate template, String key, Duration wait) {
		try {
			return template.tryAcquire("quorum", key, wait);
		}
		catch (LockAcquisitionException ex) {
			return Optional.empty(); // the backend is unreachable: nothing is held
		}
	}
}
