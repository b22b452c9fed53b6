package io.distlock.redis;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;

/**
 * A Sentinel deployment of local {@code redis-server} processes ({@link RedisServerProcess}): one
 * master, one replica and three sentinels ({@code redis-server <config> --sentinel}, quorum 2),
 * started in that order and ready when the replica is in sync and every sentinel knows the replica
 * and the two other sentinels. Configuration and RDB files live in {@code java.io.tmpdir} (the build
 * directory) and are deleted on {@link #close()}.
 *
 * <p>Timing: a master is considered down after {@value #DOWN_AFTER_MS} ms without an answer, so a
 * failover takes a few seconds. {@code failover-timeout} is long ({@value #FAILOVER_TIMEOUT_MS} ms):
 * it also delays Sentinel's "fix" of a replica that follows another address, which none of these
 * tests wants to happen behind their back; a failover is only slowed by it if an election fails.
 */
final class RedisSentinelProcesses implements AutoCloseable {

	static final String MASTER_NAME = "mymaster";

	private static final int DOWN_AFTER_MS = 2000;

	private static final int FAILOVER_TIMEOUT_MS = 20000;

	private final List<RedisServerProcess> servers = new ArrayList<>();

	private final List<RedisServerProcess> sentinels = new ArrayList<>();

	private final List<Path> files = new ArrayList<>();

	private final List<RedisClient> clients = new ArrayList<>();

	private RedisServerProcess master;

	private RedisServerProcess replica;

	private RedisSentinelProcesses() {
	}

	/** Starts the master, the replica and three sentinels, and waits until they all know each other. */
	static RedisSentinelProcesses start() throws Exception {
		RedisSentinelProcesses deployment = new RedisSentinelProcesses();
		try {
			deployment.startAll();
			return deployment;
		}
		catch (Throwable ex) {
			deployment.close();
			throw ex;
		}
	}

	/** Returns {@code host:port,...} of the sentinels, the form of {@code spring.data.redis.sentinel.nodes}. */
	String sentinelNodesProperty() {
		return this.sentinels.stream().map((sentinel) -> "127.0.0.1:" + sentinel.port()).collect(Collectors.joining(","));
	}

	RedisServerProcess master() {
		return this.master;
	}

	RedisServerProcess replica() {
		return this.replica;
	}

	/** A connection to one data server alone (master or replica), for inspection and administration. */
	RedisCommands<String, String> commands(RedisServerProcess server) {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", server.port()));
		this.clients.add(client);
		return client.connect().sync();
	}

	/**
	 * Waits until every sentinel names the replica as the master and the replica says it is one.
	 * @return how long that took
	 */
	Duration awaitFailover(Duration timeout) throws InterruptedException {
		long start = System.nanoTime();
		RedisCommands<String, String> promoted = commands(this.replica);
		List<RedisSentinelCommands<String, String>> views = new ArrayList<>();
		for (RedisServerProcess sentinel : this.sentinels) {
			views.add(sentinel(sentinel));
		}
		awaitCondition(() -> {
			boolean done = promoted.info("replication").contains("role:master");
			for (RedisSentinelCommands<String, String> sentinel : views) {
				SocketAddress address = sentinel.getMasterAddrByName(MASTER_NAME);
				done &= (address instanceof InetSocketAddress inet) && inet.getPort() == this.replica.port();
			}
			return done;
		}, timeout, "a failover to the replica (port " + this.replica.port() + "); see the redis-<port>.log files of the sentinels "
				+ sentinelNodesProperty());
		return Duration.ofNanos(System.nanoTime() - start);
	}

	private void startAll() throws Exception {
		this.master = startServer();
		this.replica = startServer("--replicaof", "127.0.0.1", Integer.toString(this.master.port()));
		RedisCommands<String, String> replicaCommands = commands(this.replica);
		awaitCondition(() -> replicaCommands.info("replication").contains("master_link_status:up"), "the replica in sync");
		for (int i = 0; i < 3; i++) {
			int port = RedisServerProcess.freePort();
			Path config = Path.of(System.getProperty("java.io.tmpdir"), "redis-sentinel-" + port + ".conf").toAbsolutePath();
			// Sentinel rewrites its config file (ids, epochs, what it learned): one writable file each
			Files.writeString(config, String.join("\n", "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + this.master.port() + " 2",
					"sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
					"sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MS,
					"sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
			this.files.add(config);
			this.sentinels.add(RedisServerProcess.start(port, config.toString(), "--sentinel"));
		}
		for (RedisServerProcess sentinel : this.sentinels) {
			RedisSentinelCommands<String, String> commands = sentinel(sentinel);
			awaitCondition(() -> {
				Map<String, String> view = commands.master(MASTER_NAME);
				return "2".equals(view.get("num-other-sentinels")) && "1".equals(view.get("num-slaves"))
						&& "master".equals(view.get("flags"));
			}, "sentinel " + sentinel.port() + " to know the replica and the other sentinels");
		}
	}

	/** Starts a data server; no limit on what it buffers for its replica (the loss test piles data there). */
	private RedisServerProcess startServer(String... more) throws Exception {
		int port = RedisServerProcess.freePort();
		Path rdb = Path.of(System.getProperty("java.io.tmpdir"), "redis-" + port + ".rdb");
		this.files.add(rdb);
		List<String> arguments = new ArrayList<>(List.of("--dbfilename", rdb.getFileName().toString(), "--repl-diskless-sync",
				"yes", "--repl-diskless-sync-delay", "0", "--client-output-buffer-limit", "replica", "0", "0", "0"));
		arguments.addAll(List.of(more));
		RedisServerProcess server = RedisServerProcess.start(port, arguments.toArray(String[]::new));
		this.servers.add(server);
		return server;
	}

	private RedisSentinelCommands<String, String> sentinel(RedisServerProcess sentinel) {
		RedisClient client = RedisClient.create();
		this.clients.add(client);
		return client.connectSentinel(RedisURI.create("127.0.0.1", sentinel.port())).sync();
	}

	/** Waits up to 60 seconds for {@code condition}; see {@link #awaitCondition(BooleanSupplier, Duration, String)}. */
	static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
		awaitCondition(condition, Duration.ofSeconds(60), what);
	}

	/**
	 * Waits up to {@code timeout} for {@code condition}, checking every 20 ms. A Redis error while
	 * checking means "not yet": during a failover Sentinel kills the normal clients of the replica it
	 * promotes ({@code CLIENT KILL TYPE normal}), so an inspection connection can lose the command it
	 * had in flight. The last such error is the cause of the timeout.
	 */
	static void awaitCondition(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		RedisException lastError = null;
		while (true) {
			try {
				if (condition.getAsBoolean()) {
					return;
				}
			}
			catch (RedisException ex) {
				lastError = ex;
			}
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting for " + what, lastError);
			}
			Thread.sleep(20);
		}
	}

	@Override
	public void close() throws Exception {
		for (RedisClient client : this.clients) {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
		for (RedisServerProcess sentinel : this.sentinels) {
			sentinel.close();
		}
		for (RedisServerProcess server : this.servers) {
			server.close();
		}
		for (Path file : this.files) {
			Files.deleteIfExists(file);
		}
	}
}
