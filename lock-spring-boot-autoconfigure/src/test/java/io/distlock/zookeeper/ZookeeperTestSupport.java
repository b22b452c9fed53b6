package io.distlock.zookeeper;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.apache.zookeeper.ZooKeeper;

/** Real ZooKeeper servers and clients for the tests, with short ticks so sessions can be short. */
final class ZookeeperTestSupport {

	/** Server tick: sessions may be between 2 and 20 ticks long. */
	static final int TICK_MS = 200;

	/** Session timeout of test clients: the lease of a ZooKeeper lock. */
	static final Duration SESSION = Duration.ofSeconds(3);

	static final String BASE_PATH = "/distributed-lock-test";

	static {
		// read by the server (a system property, not a config key) when it starts: reap empty containers fast
		System.setProperty("znode.container.checkIntervalMs", "200");
		// the watch count is read with the four-letter word wchs
		System.setProperty("zookeeper.4lw.commands.whitelist", "wchs");
	}

	private static TestingServer shared;

	private ZookeeperTestSupport() {
	}

	/** Returns the server that test classes share (each test uses its own lock names); closed when the JVM exits. */
	static synchronized TestingServer sharedServer() throws Exception {
		if (shared == null) {
			TestingServer server = startServer(TICK_MS);
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					server.close();
				}
				catch (Exception ex) {
					// the JVM is exiting
				}
			}));
			shared = server;
		}
		return shared;
	}

	/** Starts an ensemble of three servers on free ports with a short tick. */
	static TestingCluster startCluster() throws Exception {
		TestingCluster cluster = new TestingCluster(spec(1, TICK_MS), spec(2, TICK_MS), spec(3, TICK_MS));
		cluster.start();
		return cluster;
	}

	/** Returns the spec of a server on a free port with a short tick. */
	static InstanceSpec spec(int serverId, int tickMs) {
		return new InstanceSpec(null, -1, -1, -1, true, serverId, tickMs, -1);
	}

	/** Starts a standalone server on a free port. */
	static TestingServer startServer(int tickMs) throws Exception {
		return new TestingServer(spec(-1, tickMs), true);
	}

	/** Starts and connects a client as one application instance would. */
	static CuratorFramework client(String connectString, Duration session) throws Exception {
		return start(builder(connectString, session));
	}

	/**
	 * Starts and connects a client that keeps talking to exactly the servers of {@code connectString}:
	 * it does not follow the ensemble's configuration to the servers' real addresses (needed behind a proxy).
	 */
	static CuratorFramework proxiedClient(String connectString, Duration session) throws Exception {
		return start(builder(connectString, session).ensembleTracker(false));
	}

	private static CuratorFrameworkFactory.Builder builder(String connectString, Duration session) {
		return CuratorFrameworkFactory.builder()
			.connectString(connectString)
			.sessionTimeoutMs((int) session.toMillis())
			.connectionTimeoutMs((int) session.toMillis())
			.retryPolicy(new ExponentialBackoffRetry(100, 2));
	}

	private static CuratorFramework start(CuratorFrameworkFactory.Builder builder) throws Exception {
		CuratorFramework client = builder.build();
		client.start();
		if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
			client.close();
			throw new IllegalStateException("could not connect to " + client.getZookeeperClient().getCurrentConnectionString());
		}
		return client;
	}

	/** Returns the number of watches the server at {@code host:port} holds for all its sessions (four-letter word {@code wchs}). */
	static int serverWatchCount(String hostPort) throws Exception {
		String[] parts = hostPort.split(":");
		String answer = FourLetterWordMain.send4LetterWord(parts[0], Integer.parseInt(parts[1]), "wchs");
		Matcher total = Pattern.compile("Total watches:(\\d+)").matcher(answer);
		if (!total.find()) {
			throw new IllegalStateException("unexpected answer to wchs: " + answer);
		}
		return Integer.parseInt(total.group(1));
	}

	/** Makes the client believe its session expired, as a crashed process's session would on the server later. */
	static void crash(CuratorFramework client) throws Exception {
		KillSession.kill(client.getZookeeperClient().getZooKeeper());
	}

	/**
	 * Expires the client's session on the server at once (its ephemeral nodes go), the way a server does
	 * for a client it has not heard from: by closing the session from a second connection.
	 */
	static void expireOnServer(CuratorFramework client, String connectString) throws Exception {
		ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
		CountDownLatch connected = new CountDownLatch(1);
		Watcher watcher = (event) -> {
			if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
				connected.countDown();
			}
		};
		ZooKeeper twin = new ZooKeeper(connectString, (int) SESSION.toMillis(), watcher, zk.getSessionId(), zk.getSessionPasswd());
		try {
			if (!connected.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("second connection to the session did not connect");
			}
		}
		finally {
			twin.close();
		}
	}
}
