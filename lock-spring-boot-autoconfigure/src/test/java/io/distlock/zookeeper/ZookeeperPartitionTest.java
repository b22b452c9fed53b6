package io.distlock.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import io.distlock.testsupport.HistoryChecker;
import io.distlock.testsupport.TcpProxy;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A holder cut off from a working ensemble of three: its client talks to every server through an
 * in-test TCP proxy, which then black-holes (or only delays) its traffic while it holds a lock. The
 * ensemble expires the holder's session and a second instance, connected directly, takes the lock.
 * The holder must have been told of its loss before that second acquisition, and the two holds must
 * never overlap.
 */
class ZookeeperPartitionTest {

	private static final Duration SESSION = ZookeeperTestSupport.SESSION;

	private static TestingCluster cluster;

	@BeforeAll
	static void startCluster() throws Exception {
		cluster = ZookeeperTestSupport.startCluster();
	}

	@AfterAll
	static void stopCluster() throws Exception {
		cluster.close();
	}

	@Test
	void blackholedHolderLearnsOfItsLossBeforeAnotherInstanceAcquires() throws Exception {
		Timeline timeline = partition("blackhole", (proxies) -> proxies.forEach(TcpProxy::cut), false);
		timeline.assertLossReportedBeforeTheOtherAcquired();
	}

	/** Nothing is dropped, everything arrives two session timeouts late: too late to keep the session. */
	@Test
	void delayedHolderLearnsOfItsLossBeforeAnotherInstanceAcquires() throws Exception {
		Duration delay = SESSION.multipliedBy(2);
		Timeline timeline = partition("delay " + delay.toMillis() + " ms", (proxies) -> proxies.forEach((p) -> p.delay(delay)), false);
		timeline.assertLossReportedBeforeTheOtherAcquired();
	}

	/**
	 * Half a session timeout late: the holder's pings and reconnection attempts still reach the ensemble,
	 * which may then keep the session, but the holder cannot hear back in time and reports its lock lost.
	 * The holder releases the lock when told (as an application reacting to the loss would): the other
	 * instance gets it once that delete, or the session's expiry, reaches the ensemble, and never before
	 * the holder was told.
	 */
	@Test
	void slowHolderReportsItsLossAndReleasesBeforeAnotherInstanceAcquires() throws Exception {
		Duration delay = SESSION.dividedBy(2);
		Timeline timeline = partition("delay " + delay.toMillis() + " ms, release on loss", (proxies) -> proxies.forEach((p) -> p.delay(delay)), true);
		timeline.assertLossReportedBeforeTheOtherAcquired();
	}

	/**
	 * Cut off from the ensemble, a caller is never held up by Curator's retries: a release returns at once
	 * (the delete is sent in the background) and an acquisition fails within its wait time plus the
	 * operation timeout, whatever the connection and retry settings.
	 */
	@Test
	void unreachableEnsembleBoundsAcquireByTheWaitTimeAndNeverBlocksRelease() throws Exception {
		List<TcpProxy> proxies = proxies();
		Duration bound = ZookeeperLockProvider.DEFAULT_OPERATION_TIMEOUT.plusSeconds(1);
		try (CuratorFramework client = ZookeeperTestSupport.proxiedClient(connectString(proxies), SESSION);
				ZookeeperLockProvider provider = new ZookeeperLockProvider(client, ZookeeperTestSupport.BASE_PATH);
				LockTemplate template = new LockTemplate(provider, Duration.ZERO, SESSION)) {
			LockHandle held = template.tryAcquire("unreachable", "held", Duration.ZERO).orElseThrow();
			proxies.forEach(TcpProxy::cut);

			long start = System.nanoTime();
			held.close();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("release").isLessThan(Duration.ofMillis(500));
			for (Duration wait : List.of(Duration.ZERO, Duration.ofSeconds(1))) {
				long started = System.nanoTime();
				try {
					assertThat(template.tryAcquire("unreachable", "next", wait)).as("acquired without the ensemble").isEmpty();
				}
				catch (LockAcquisitionException ex) {
					// the backend failed: nothing is held
				}
				assertThat(Duration.ofNanos(System.nanoTime() - started)).as("acquire with wait " + wait).isLessThan(wait.plus(bound));
			}
		}
		finally {
			closeAll(proxies);
		}
	}

	/** Runs one partition of the holder while a second instance waits for its lock, and records when what happened. */
	private Timeline partition(String name, Consumer<List<TcpProxy>> fault, boolean releaseOnLoss) throws Exception {
		List<TcpProxy> proxies = proxies();
		Timeline timeline = new Timeline(name);
		try (CuratorFramework holderClient = ZookeeperTestSupport.proxiedClient(connectString(proxies), SESSION);
				CuratorFramework otherClient = ZookeeperTestSupport.client(cluster.getConnectString(), SESSION);
				ZookeeperLockProvider holderProvider = new ZookeeperLockProvider(holderClient, ZookeeperTestSupport.BASE_PATH);
				ZookeeperLockProvider otherProvider = new ZookeeperLockProvider(otherClient, ZookeeperTestSupport.BASE_PATH);
				LockTemplate holder = new LockTemplate(holderProvider, Duration.ZERO, SESSION);
				LockTemplate other = new LockTemplate(otherProvider, Duration.ZERO, SESSION)) {
			holderClient.getConnectionStateListenable().addListener((client, state) -> {
				if (state == ConnectionState.SUSPENDED) {
					timeline.suspended.compareAndSet(0, System.nanoTime());
				}
			});
			LockHandle held = holder.tryAcquire("partition", name, Duration.ZERO).orElseThrow();
			long heldAt = System.nanoTime();
			held.onLost(() -> {
				timeline.lost.compareAndSet(0, System.nanoTime());
				if (releaseOnLoss) {
					held.close();
				}
			});
			CompletableFuture<LockHandle> next = CompletableFuture.supplyAsync(() -> {
				LockHandle handle = other.tryAcquire("partition", name, SESSION.multipliedBy(10)).orElseThrow();
				timeline.otherAcquired.set(System.nanoTime());
				return handle;
			});
			Thread.sleep(300); // the other instance is queued and watches the holder's node
			assertThat(next).as("acquired while held").isNotDone();

			timeline.cut = System.nanoTime();
			fault.accept(proxies);
			LockHandle taken = next.get(SESSION.multipliedBy(8).toMillis(), TimeUnit.MILLISECONDS);
			long lostAt = (timeline.lost.get() != 0) ? timeline.lost.get() : System.nanoTime();
			timeline.history.record("holder", held.fencingToken(), heldAt, lostAt, true);
			taken.close();
			timeline.history.record("other", taken.fencingToken(), timeline.otherAcquired.get(), System.nanoTime(), false);
			System.out.println(timeline);
		}
		finally {
			closeAll(proxies);
		}
		return timeline;
	}

	/** One proxy in front of each server of the ensemble. */
	private static List<TcpProxy> proxies() throws Exception {
		List<TcpProxy> proxies = new ArrayList<>();
		for (InstanceSpec server : cluster.getInstances()) {
			proxies.add(new TcpProxy("127.0.0.1", server.getPort()));
		}
		return proxies;
	}

	private static String connectString(List<TcpProxy> proxies) {
		return proxies.stream().map((p) -> "127.0.0.1:" + p.port()).collect(Collectors.joining(","));
	}

	private static void closeAll(List<TcpProxy> proxies) throws Exception {
		for (TcpProxy proxy : proxies) {
			proxy.close();
		}
	}

	/** When what happened in one partition, in nanoTime. */
	private static final class Timeline {

		final String name;

		final HistoryChecker history = new HistoryChecker();

		final AtomicLong suspended = new AtomicLong();

		final AtomicLong lost = new AtomicLong();

		final AtomicLong otherAcquired = new AtomicLong();

		long cut;

		Timeline(String name) {
			this.name = name;
		}

		void assertLossReportedBeforeTheOtherAcquired() {
			assertThat(this.lost.get()).as("holder told of its loss; " + this).isNotZero();
			assertThat(this.lost.get()).as("loss reported before the other instance acquired; " + this).isLessThan(this.otherAcquired.get());
			this.history.assertValid();
			assertThat(this.history.overlaps()).isEmpty();
		}

		private String since(long at) {
			if (at == 0) {
				return "never";
			}
			long ms = TimeUnit.NANOSECONDS.toMillis(at - this.cut);
			return ms + " ms (" + String.format(java.util.Locale.ROOT, "%.2f", (double) ms / SESSION.toMillis()) + " session)";
		}

		@Override
		public String toString() {
			return "partition '" + this.name + "' (session " + SESSION.toMillis() + " ms) after the cut: SUSPENDED "
					+ since(this.suspended.get()) + ", loss reported " + since(this.lost.get()) + ", other instance acquired "
					+ since(this.otherAcquired.get());
		}
	}
}
