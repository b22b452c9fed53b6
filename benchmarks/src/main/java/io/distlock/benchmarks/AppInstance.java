package io.distlock.benchmarks;

import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * One simulated application instance: its own connections to each server, opened lazily and shared by
 * every contender measured on this instance (contenders run one after the other, never at once, so
 * they can share a pool; and each gets the same pool size). A benchmark uses two instances, so that
 * contended locks are contended across instances, not only across threads of one JVM.
 */
final class AppInstance implements AutoCloseable {

	private final Servers servers;

	private final int poolSize;

	private final Closer opened = new Closer();

	private LettuceConnectionFactory lettuce;

	private StatefulRedisConnection<String, String> redis;

	private CuratorFramework curator;

	private HikariDataSource dataSource;

	AppInstance(Servers servers, int poolSize) {
		this.servers = servers;
		this.poolSize = poolSize;
	}

	/** Returns the {@code host:port} of Redis. */
	String redisAddress() throws Exception {
		return this.servers.redis();
	}

	/** Returns this instance's Spring Data Redis connection factory (Lettuce). */
	synchronized LettuceConnectionFactory lettuceConnectionFactory() throws Exception {
		if (this.lettuce == null) {
			String[] hostPort = this.servers.redis().split(":");
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration(hostPort[0], Integer.parseInt(hostPort[1])));
			factory.afterPropertiesSet();
			factory.start();
			this.opened.add(factory::destroy);
			this.lettuce = factory;
		}
		return this.lettuce;
	}

	/** Returns this instance's plain Lettuce connection (thread-safe, multiplexed). */
	synchronized StatefulRedisConnection<String, String> redisConnection() throws Exception {
		if (this.redis == null) {
			RedisClient client = RedisClient.create("redis://" + this.servers.redis());
			this.opened.add(client::shutdown);
			this.redis = client.connect();
			this.opened.add(this.redis);
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

	/** Returns this instance's connection pool to PostgreSQL. */
	synchronized DataSource dataSource() throws Exception {
		if (this.dataSource == null) {
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl(this.servers.postgres());
			config.setUsername("postgres");
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
