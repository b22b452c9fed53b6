package io.distlock.autoconfigure;

import java.time.Duration;

/** ZooKeeper backend settings, under {@code distributed-lock.zookeeper}. */
public class ZookeeperLockProperties {

	/**
	 * Connect string of the ZooKeeper ensemble, such as {@code zk1:2181,zk2:2181}. When set and no
	 * CuratorFramework bean exists, the starter creates, starts and closes a client.
	 */
	private String connectString;

	/**
	 * Root znode under which the locks are kept: {@code <base-path>/<key-prefix + name>/<key>}.
	 */
	private String basePath = "/distributed-lock";

	/**
	 * Session timeout of the client the starter creates. For ZooKeeper this is the lease: a dead
	 * holder's lock frees itself when its session expires. The server may narrow it to its own
	 * minimum and maximum (2 and 20 ticks by default).
	 */
	private Duration sessionTimeout = Duration.ofSeconds(30);

	/**
	 * How long the client the starter creates waits for a connection before an operation fails.
	 */
	private Duration connectionTimeout = Duration.ofSeconds(15);

	/** Retries of the client the starter creates, with exponential backoff. */
	private final Retry retry = new Retry();

	public String getConnectString() {
		return this.connectString;
	}

	public void setConnectString(String connectString) {
		this.connectString = connectString;
	}

	public String getBasePath() {
		return this.basePath;
	}

	public void setBasePath(String basePath) {
		this.basePath = basePath;
	}

	public Duration getSessionTimeout() {
		return this.sessionTimeout;
	}

	public void setSessionTimeout(Duration sessionTimeout) {
		this.sessionTimeout = sessionTimeout;
	}

	public Duration getConnectionTimeout() {
		return this.connectionTimeout;
	}

	public void setConnectionTimeout(Duration connectionTimeout) {
		this.connectionTimeout = connectionTimeout;
	}

	public Retry getRetry() {
		return this.retry;
	}

	/** Exponential backoff between retries of a failed ZooKeeper operation. */
	public static class Retry {

		/** Sleep before the first retry; each further retry sleeps up to twice as long, randomized. */
		private Duration baseSleepTime = Duration.ofMillis(100);

		/** Longest sleep between two retries. */
		private Duration maxSleepTime = Duration.ofSeconds(5);

		/** Number of retries of an operation after its first attempt failed for connection trouble. */
		private int maxRetries = 3;

		public Duration getBaseSleepTime() {
			return this.baseSleepTime;
		}

		public void setBaseSleepTime(Duration baseSleepTime) {
			this.baseSleepTime = baseSleepTime;
		}

		public Duration getMaxSleepTime() {
			return this.maxSleepTime;
		}

		public void setMaxSleepTime(Duration maxSleepTime) {
			this.maxSleepTime = maxSleepTime;
		}

		public int getMaxRetries() {
			return this.maxRetries;
		}

		public void setMaxRetries(int maxRetries) {
			this.maxRetries = maxRetries;
		}
	}
}
