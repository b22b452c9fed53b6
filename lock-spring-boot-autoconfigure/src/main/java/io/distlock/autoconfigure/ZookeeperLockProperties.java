package io.distlock.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** ZooKeeper backend settings, under {@code distributed-lock.zookeeper}. */
public class ZookeeperLockProperties {

	/**
	 * Connect string of the ZooKeeper ensemble, such as "zk1:2181,zk2:2181". When set and no
	 * CuratorFramework bean exists, the starter creates, starts and closes a client.
	 */
	private @Nullable String connectString;

	/**
	 * Root znode under which the locks are kept, as base-path/key-prefix+name/key.
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

	/**
	 * How long a SUSPENDED connection keeps its locks before they are reported lost, in percent of the
	 * negotiated session timeout (0 to 25). The client notices a silent connection after 2/3 of the
	 * session timeout and the ensemble may expire the session, and give the lock to another instance,
	 * at its end: a larger value survives longer interruptions (a server restart, a leader election)
	 * without losing the lock, but leaves less time between the report and that moment.
	 */
	private int suspendedGracePercent = 10;

	/**
	 * How long an acquisition waits for ZooKeeper's answers beyond its wait time: the most an
	 * acquisition can overrun its wait when the ensemble is unreachable. Releases never wait.
	 */
	private Duration operationTimeout = Duration.ofSeconds(2);

	/** Retries of the client the starter creates, with exponential backoff. */
	private final Retry retry = new Retry();

	public @Nullable String getConnectString() {
		return this.connectString;
	}

	public void setConnectString(@Nullable String connectString) {
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

	public int getSuspendedGracePercent() {
		return this.suspendedGracePercent;
	}

	public void setSuspendedGracePercent(int suspendedGracePercent) {
		this.suspendedGracePercent = suspendedGracePercent;
	}

	public Duration getOperationTimeout() {
		return this.operationTimeout;
	}

	public void setOperationTimeout(Duration operationTimeout) {
		this.operationTimeout = operationTimeout;
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
