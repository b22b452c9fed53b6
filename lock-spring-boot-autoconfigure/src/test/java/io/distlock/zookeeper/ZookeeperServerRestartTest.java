package io.distlock.zookeeper;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A server that stops and comes back within the grace that a SUSPENDED connection keeps its locks: the
 * session survives (the server keeps sessions in its snapshot and log), so the ephemeral lock node and
 * the lock are kept, and nothing is reported lost.
 */
class ZookeeperServerRestartTest {

	/** The longest session a server with a one-second tick accepts (20 ticks). */
	private static final Duration SESSION = Duration.ofSeconds(20);

	/** The largest grace: 5 s, longer than a restart takes on a loaded machine, with the client's reconnect backoff. */
	private static final int GRACE_PERCENT = ZookeeperLockProvider.MAX_SUSPENDED_GRACE_PERCENT;

	@Test
	void lockIsKeptWhenTheServerRestartsWithinTheSession() throws Exception {
		try (TestingServer server = ZookeeperTestSupport.startServer(1000);
				CuratorFramework holderClient = ZookeeperTestSupport.client(server.getConnectString(), SESSION);
				CuratorFramework otherClient = ZookeeperTestSupport.client(server.getConnectString(), SESSION);
				ZookeeperLockProvider holderProvider = new ZookeeperLockProvider(holderClient, ZookeeperTestSupport.BASE_PATH, GRACE_PERCENT,
						ZookeeperLockProvider.DEFAULT_OPERATION_TIMEOUT);
				ZookeeperLockProvider otherProvider = new ZookeeperLockProvider(otherClient, ZookeeperTestSupport.BASE_PATH);
				LockTemplate holder = new LockTemplate(holderProvider, Duration.ZERO, SESSION);
				LockTemplate other = new LockTemplate(otherProvider, Duration.ZERO, SESSION)) {
			AtomicBoolean suspended = new AtomicBoolean();
			AtomicBoolean lost = new AtomicBoolean();
			holderClient.getConnectionStateListenable().addListener((c, state) -> {
				suspended.compareAndSet(false, state == ConnectionState.SUSPENDED);
				lost.compareAndSet(false, state == ConnectionState.LOST);
			});
			LockHandle held = holder.tryAcquire("restart", "k", Duration.ZERO).orElseThrow();

			assertThat(holderProvider.checkHealth()).containsEntry("connectionState", "CONNECTED").containsEntry("heldLocks", 1)
				.containsEntry("sessionTimeout", SESSION.toMillis() + "ms").containsKey("sessionId");

			server.stop();
			await().atMost(SESSION).untilTrue(suspended);
			assertThat(held.isHeld()).as("kept while the connection is suspended").isTrue();
			assertThatThrownBy(holderProvider::checkHealth).hasMessageContaining("not connected").hasMessageContaining("SUSPENDED");
			server.restart();

			// the other instance reconnects too and still finds the lock taken
			await().atMost(SESSION).until(() -> holderClient.getZookeeperClient().isConnected() && otherClient.getZookeeperClient().isConnected());
			assertThat(holderProvider.checkHealth()).containsEntry("connectionState", "RECONNECTED");
			assertThat(other.tryAcquire("restart", "k", Duration.ZERO)).isEmpty();
			assertThat(lost).as("session survived").isFalse();
			assertThat(held.isHeld()).isTrue();

			held.close();
			try (LockHandle next = other.tryAcquire("restart", "k", Duration.ofSeconds(10)).orElseThrow()) {
				assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
			}
		}
	}

	/**
	 * The other side of the trade-off: a restart that outlasts the grace reports the lock lost (the holder
	 * cannot know yet that its session will survive), but the node stays with the surviving session, so
	 * nobody else gets the lock until the holder releases it.
	 */
	@Test
	void restartLongerThanTheGraceReportsTheLockLostAndFreesItOnlyOnRelease() throws Exception {
		try (TestingServer server = ZookeeperTestSupport.startServer(1000);
				CuratorFramework holderClient = ZookeeperTestSupport.client(server.getConnectString(), SESSION);
				CuratorFramework otherClient = ZookeeperTestSupport.client(server.getConnectString(), SESSION);
				ZookeeperLockProvider holderProvider = new ZookeeperLockProvider(holderClient, ZookeeperTestSupport.BASE_PATH, 5,
						ZookeeperLockProvider.DEFAULT_OPERATION_TIMEOUT);
				ZookeeperLockProvider otherProvider = new ZookeeperLockProvider(otherClient, ZookeeperTestSupport.BASE_PATH);
				LockTemplate holder = new LockTemplate(holderProvider, Duration.ZERO, SESSION);
				LockTemplate other = new LockTemplate(otherProvider, Duration.ZERO, SESSION)) {
			AtomicBoolean lost = new AtomicBoolean();
			holderClient.getConnectionStateListenable().addListener((c, state) -> lost.compareAndSet(false, state == ConnectionState.LOST));
			LockHandle held = holder.tryAcquire("restart", "long", Duration.ZERO).orElseThrow();
			AtomicBoolean told = new AtomicBoolean();
			held.onLost(() -> told.set(true));

			server.stop();
			await().atMost(SESSION).untilTrue(told); // 5% of 20 s: after 1 s SUSPENDED
			assertThat(held.isHeld()).isFalse();
			server.restart();

			await().atMost(SESSION).until(() -> holderClient.getZookeeperClient().isConnected() && otherClient.getZookeeperClient().isConnected());
			assertThat(lost).as("session survived").isFalse();
			assertThat(other.tryAcquire("restart", "long", Duration.ofMillis(500))).as("still taken by the lost holder's node").isEmpty();
			held.close();
			try (LockHandle next = other.tryAcquire("restart", "long", Duration.ofSeconds(10)).orElseThrow()) {
				assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
			}
			// and the holder's client acquires again on the same session
			try (LockHandle again = holder.tryAcquire("restart", "long-again", Duration.ofSeconds(10)).orElseThrow()) {
				assertThat(again.isHeld()).isTrue();
			}
		}
	}
}
