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
import static org.awaitility.Awaitility.await;

/**
 * A server that stops and comes back within the session timeout: the session survives (the server
 * keeps sessions in its snapshot and log), so the ephemeral lock node and the lock are kept.
 */
class ZookeeperServerRestartTest {

	/** Longer than the restart takes on a loaded machine, including the client's reconnect backoff. */
	private static final Duration SESSION = Duration.ofSeconds(8);

	@Test
	void lockIsKeptWhenTheServerRestartsWithinTheSession() throws Exception {
		try (TestingServer server = ZookeeperTestSupport.startServer(500);
				CuratorFramework holderClient = ZookeeperTestSupport.client(server.getConnectString(), SESSION);
				CuratorFramework otherClient = ZookeeperTestSupport.client(server.getConnectString(), SESSION);
				ZookeeperLockProvider holderProvider = new ZookeeperLockProvider(holderClient, ZookeeperTestSupport.BASE_PATH);
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

			server.stop();
			await().atMost(SESSION).untilTrue(suspended);
			assertThat(held.isHeld()).as("kept while the connection is suspended").isTrue();
			server.restart();

			// the other instance reconnects too and still finds the lock taken
			await().atMost(SESSION).until(() -> holderClient.getZookeeperClient().isConnected() && otherClient.getZookeeperClient().isConnected());
			assertThat(other.tryAcquire("restart", "k", Duration.ZERO)).isEmpty();
			assertThat(lost).as("session survived").isFalse();
			assertThat(held.isHeld()).isTrue();

			held.close();
			try (LockHandle next = other.tryAcquire("restart", "k", Duration.ofSeconds(10)).orElseThrow()) {
				assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
			}
		}
	}
}
