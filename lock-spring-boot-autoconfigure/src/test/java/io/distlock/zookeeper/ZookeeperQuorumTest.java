package io.distlock.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import io.distlock.testsupport.HistoryChecker;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An ensemble of three loses two servers, among them the only one the holder can reach. Without a
 * quorum nothing can be acquired; the quorum comes back without the holder's server, so the ensemble
 * expires the holder's session and the other instance, which has been trying all along, gets the lock.
 *
 * <p>Each hold is recorded as it really was: the holder's from its acquisition until it was told of the
 * loss (or the end of the test, had it never been told), the other's from its acquisition on. Had the
 * holder not been told before the other acquired, or had the other been let in while the holder's node
 * was still first, the history would show two holders at once.
 */
class ZookeeperQuorumTest {

	private static final Duration SESSION = ZookeeperTestSupport.SESSION;

	@Test
	void losingQuorumStopsAcquisitionsAndNeverLetsTwoHold() throws Exception {
		ExecutorService contenders = Executors.newSingleThreadExecutor();
		try (TestingCluster cluster = ZookeeperTestSupport.startCluster()) {
			List<InstanceSpec> servers = new ArrayList<>(cluster.getInstances());
			String holderServer = servers.get(0).getConnectString();
			String otherServers = servers.get(1).getConnectString() + "," + servers.get(2).getConnectString();
			HistoryChecker history = new HistoryChecker();
			try (CuratorFramework clientA = ZookeeperTestSupport.proxiedClient(holderServer, SESSION);
					CuratorFramework clientB = ZookeeperTestSupport.proxiedClient(otherServers, SESSION);
					ZookeeperLockProvider providerA = new ZookeeperLockProvider(clientA, ZookeeperTestSupport.BASE_PATH);
					ZookeeperLockProvider providerB = new ZookeeperLockProvider(clientB, ZookeeperTestSupport.BASE_PATH);
					LockTemplate a = new LockTemplate(providerA, Duration.ZERO, SESSION);
					LockTemplate b = new LockTemplate(providerB, Duration.ZERO, SESSION)) {
				LockHandle held = a.tryAcquire("quorum", "k", Duration.ZERO).orElseThrow();
				long heldAt = System.nanoTime();
				AtomicLong lostAt = new AtomicLong();
				held.onLost(() -> lostAt.compareAndSet(0, System.nanoTime()));

				// the other instance tries from now on, through the whole outage, until it gets the lock
				CompletableFuture<HistoryChecker.Hold> other = CompletableFuture.supplyAsync(() -> {
					while (true) {
						Optional<LockHandle> handle = tryOnce(b, "k", Duration.ofSeconds(1));
						if (handle.isPresent()) {
							long acquiredAt = System.nanoTime();
							sleep(200); // holds for a while, as the old holder might still be working
							handle.get().close();
							return new HistoryChecker.Hold("B", handle.get().fencingToken(), acquiredAt, System.nanoTime(), false);
						}
					}
				}, contenders);
				Thread.sleep(300);
				assertThat(other).as("acquired while held").isNotDone();

				cluster.killServer(servers.get(0));
				cluster.killServer(servers.get(1));
				assertThat(tryOnce(b, "fresh", Duration.ofSeconds(1))).as("acquired without a quorum").isEmpty();
				cluster.restartServer(servers.get(1)); // quorum again, but not the holder's server

				HistoryChecker.Hold taken = other.get(2, TimeUnit.MINUTES);
				long heldUntil = (lostAt.get() != 0) ? lostAt.get() : System.nanoTime();
				history.record("A", held.fencingToken(), heldAt, heldUntil, true);
				history.record(taken);
				held.close(); // late release: harmless
				history.assertValid();
				assertThat(held.isHeld()).isFalse();
				assertThat(b.tryAcquire("quorum", "k", Duration.ofSeconds(5))).hasValueSatisfying(LockHandle::close);
			}
		}
		finally {
			contenders.shutdownNow();
		}
	}

	private static Optional<LockHandle> tryOnce(LockTemplate template, String key, Duration wait) {
		try {
			return template.tryAcquire("quorum", key, wait);
		}
		catch (LockAcquisitionException ex) {
			return Optional.empty(); // the backend is unreachable: nothing is held
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
