package io.distlock.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration of distributed locks, under {@code distributed-lock}.
 */
@ConfigurationProperties("distributed-lock")
public class DistributedLockProperties {

	/**
	 * Whether distributed locking is enabled. When false, no lock beans are created and
	 * methods annotated with @DistributedLocked run unlocked.
	 */
	private boolean enabled = true;

	/**
	 * Backend that keeps the locks: redis, zookeeper, jdbc or in-memory. When unset, the first one
	 * the application has a client for, in that order, with in-memory as the fallback.
	 */
	private @Nullable LockBackend backend;

	/**
	 * Default time a call waits for a lock that is taken. 0 means try once. A bare number is
	 * milliseconds.
	 */
	private Duration waitTime = Duration.ofSeconds(3);

	/**
	 * Default lease: how long a lock outlives a holder that stopped renewing it (crash, pause,
	 * partition). Live holders renew it every third of the lease.
	 */
	private Duration leaseTime = Duration.ofSeconds(30);

	/**
	 * Prefix prepended to every lock name in the backend, so that several applications can share one
	 * Redis, ZooKeeper ensemble or database.
	 */
	private String keyPrefix = "";

	/**
	 * Order of the locking advice. The default puts it outside transaction advice, so a lock is taken
	 * before a transaction begins and released after it ends.
	 */
	private int order = DEFAULT_ORDER;

	/** Default of {@link #getOrder()}: before (outside) Spring's transaction advice. */
	public static final int DEFAULT_ORDER = org.springframework.core.Ordered.LOWEST_PRECEDENCE - 1000;

	/** Redis backend settings. */
	@NestedConfigurationProperty
	private final RedisLockProperties redis = new RedisLockProperties();

	/** ZooKeeper backend settings. */
	@NestedConfigurationProperty
	private final ZookeeperLockProperties zookeeper = new ZookeeperLockProperties();

	/** JDBC backend settings. */
	@NestedConfigurationProperty
	private final JdbcLockProperties jdbc = new JdbcLockProperties();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable LockBackend getBackend() {
		return this.backend;
	}

	public void setBackend(@Nullable LockBackend backend) {
		this.backend = backend;
	}

	public Duration getWaitTime() {
		return this.waitTime;
	}

	public void setWaitTime(Duration waitTime) {
		this.waitTime = waitTime;
	}

	public Duration getLeaseTime() {
		return this.leaseTime;
	}

	public void setLeaseTime(Duration leaseTime) {
		this.leaseTime = leaseTime;
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	public RedisLockProperties getRedis() {
		return this.redis;
	}

	public ZookeeperLockProperties getZookeeper() {
		return this.zookeeper;
	}

	public JdbcLockProperties getJdbc() {
		return this.jdbc;
	}
}
