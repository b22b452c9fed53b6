package io.distlock.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * One simulated application instance: its own connections to each server, opened lazily and shared by
 * every contender measured on this instance (contenders run one after the other, never at once, so
 * they can share a pool; and each gets the same pool size). A benchmark uses two instances, so that
 * contended locks are contended across instances, not only across threads of one JVM.
 */
final class AppInstance implements AutoCloseable {

	static final String POSTGRES_USER = "postgres";

	private final Servers servers;

	private final int poolSize;

	private final Closer opened = new Closer();

	private LettuceConnectionFactory lettuce;

	private RedisClusterCommands<String, String> redis;

	private CuratorFramework curator;

	private HikariDataSource dataSource;

	AppInstance(Servers servers, int poolSize) {
		this.servers = servers;
		this.poolSize = poolSize;
	}

	/** Returns the {@code host:port} of each Redis node: one, or the nodes of a cluster. */
	List<String> redisNodes() throws Exception {
		return List.of(this.servers.redis().split(","));
	}

	/** Whether Redis is a cluster. */
	boolean redisCluster() {
		return this.servers.redisCluster();
	}

	/** Returns this instance's Spring Data Redis connection factory (Lettuce), for a cluster when Redis is one. */
	synchronized LettuceConnectionFactory lettuceConnectionFactory() throws Exception {
		if (this.lettuce == null) {
			String[] hostPort = redisNodes().get(0).split(":");
			LettuceConnectionFactory factory = redisCluster() ? new LettuceConnectionFactory(new RedisClusterConfiguration(redisNodes()))
					: new LettuceConnectionFactory(new RedisStandaloneConfiguration(hostPort[0], Integer.parseInt(hostPort[1])));
			factory.afterPropertiesSet();
			factory.start();
			this.opened.add(factory::destroy);
			this.lettuce = factory;
		}
		return this.lettuce;
	}

	/** Returns this instance's plain Lettuce commands: one thread-safe, multiplexed connection (cluster-aware for a cluster). */
	synchronized RedisClusterCommands<String, String> redisCommands() throws Exception {
		if (this.redis == null) {
			List<RedisURI> uris = redisNodes().stream().map((node) -> RedisURI.create("redis://" + node)).toList();
			if (redisCluster()) {
				RedisClusterClient client = RedisClusterClient.create(uris);
				this.opened.add(client::shutdown);
				this.redis = this.opened.add(client.connect()).sync();
			}
			else {
				RedisClient client = RedisClient.create(uris.get(0));
				this.opened.add(client::shutdown);
				this.redis = this.opened.add(client.connect()).sync();
			}
		}
		return this.redis;
	}

	/** Returns this instance's started Curator client (one ZooKeeper session). */
	synchronized CuratorFramework curator() throws Exception {
		if (this.curator == null) {
			CuratorFramework client = CuratorFrameworkFactory.newClient(this.servers.zookeeper(), 30_000, 10_000,
					new ExponentialBackoffRetry(100, 3));
			client.start();
			if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
				client.close();
				throw new IllegalStateException("ZooKeeper at " + this.servers.zookeeper() + " not reachable");
			}
			this.opened.add(client);
			this.curator = client;
		}
		return this.curator;
	}

	/** Returns the JDBC URL of PostgreSQL, for a connection of its own outside the pool (user {@link #POSTGRES_USER}). */
	String postgresUrl() throws Exception {
		return this.servers.postgres();
	}

	/** Returns this instance's connection pool to PostgreSQL. */
	synchronized DataSource dataSource() throws Exception {
		if (this.dataSource == null) {
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl(this.servers.postgres());
			config.setUsername(POSTGRES_USER);
			config.setMaximumPoolSize(this.poolSize);
			config.setMinimumIdle(1);
			this.dataSource = new HikariDataSource(config);
			this.opened.add(this.dataSource);
		}
		return this.dataSource;
	}

	@Override
	public void close() {
		this.opened.close();
	}
}
