package io.distlock.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;

import io.distlock.redis.RedisClusterProcesses;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.curator.test.TestingServer;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * The servers the contenders talk to: by default the same embedded ones the tests start (a
 * {@code redis-server} on a free port, curator-test's {@link TestingServer}, zonky's embedded
 * PostgreSQL); with {@code external=true}, the local services instead (Redis 6379, PostgreSQL 5432
 * database {@code test}); with {@code cluster=true}, a local Redis Cluster of three masters instead of
 * the single Redis, started by the same code as the tests' ({@link RedisClusterProcesses}).
 * ZooKeeper is always the embedded one: no ZooKeeper service runs here.
 * Each server is started only when a backend that needs it is benchmarked.
 */
final class Servers implements AutoCloseable {

	private final boolean external;

	private final boolean cluster;

	private final Closer started = new Closer();

	private String redisUri;

	private String zookeeperConnect;

	private String jdbcUrl;

	Servers(boolean external, boolean cluster) {
		this.external = external;
		this.cluster = cluster;
	}

	/** Whether {@link #redis()} is a Redis Cluster. */
	boolean redisCluster() {
		return this.cluster;
	}

	/**
	 * Returns {@code host:port} of Redis, or for a cluster the {@code host:port} of every node, separated
	 * by commas; starts it if needed.
	 */
	synchronized String redis() throws Exception {
		if (this.redisUri == null) {
			if (this.cluster) {
				// the same binary as the single server below (the one on the PATH, if any); the tests
				// prefer the one shipped in embedded-redis
				File onPath = findOnPath("redis-server");
				if (onPath != null && System.getProperty("redis.server") == null) {
					System.setProperty("redis.server", onPath.getPath());
				}
				RedisClusterProcesses nodes = RedisClusterProcesses.start(3);
				this.started.add(nodes);
				this.redisUri = nodes.nodesProperty();
			}
			else if (this.external) {
				this.redisUri = "127.0.0.1:6379";
			}
			else {
				int port = freePort();
				File onPath = findOnPath("redis-server");
				RedisServer server = RedisServer.newRedisServer()
					.port(port)
					.bind("127.0.0.1")
					.setting("save \"\"")
					.setting("appendonly no")
					.executableProvider((onPath != null) ? () -> onPath : ExecutableProvider.newJarResourceProvider())
					.build();
				server.start();
				this.started.add(server::stop);
				this.redisUri = "127.0.0.1:" + port;
			}
		}
		return this.redisUri;
	}

	/** Returns the ZooKeeper connect string, starting the server if needed. */
	synchronized String zookeeper() throws Exception {
		if (this.zookeeperConnect == null) {
			TestingServer server = new TestingServer(freePort(), true);
			this.started.add(server);
			this.zookeeperConnect = server.getConnectString();
		}
		return this.zookeeperConnect;
	}

	/** Returns the JDBC URL of PostgreSQL (user {@code postgres}), starting it if needed. */
	synchronized String postgres() throws Exception {
		if (this.jdbcUrl == null) {
			if (this.external) {
				this.jdbcUrl = "jdbc:postgresql://127.0.0.1:5432/test";
			}
			else {
				EmbeddedPostgres pg = EmbeddedPostgres.builder()
					.setServerConfig("max_connections", "200")
					// a benchmark of locks, not of the disk: the lock tables live in memory-speed mode
					.setServerConfig("fsync", "off")
					.setServerConfig("synchronous_commit", "off")
					.start();
				this.started.add(pg);
				this.jdbcUrl = pg.getJdbcUrl("postgres", "postgres");
			}
			try (Connection probe = DriverManager.getConnection(this.jdbcUrl, "postgres", "")) {
				probe.isValid(5);
			}
		}
		return this.jdbcUrl;
	}

	/** Describes where the servers are, for the report. */
	String describe() {
		if (this.external) {
			return "local services (Redis 6379, PostgreSQL 5432/test) + embedded ZooKeeper";
		}
		return "embedded servers on free ports (" + (this.cluster ? "a Redis Cluster of 3 redis-server masters" : "redis-server")
				+ ", curator-test TestingServer, zonky PostgreSQL)";
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static File findOnPath(String binary) {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		for (String dir : path.split(File.pathSeparator)) {
			File candidate = new File(dir, binary);
			if (candidate.canExecute()) {
				return candidate;
			}
		}
		return null;
	}

	@Override
	public void close() {
		this.started.close();
	}
}
