package io.distlock.autoconfigure;

import java.time.Duration;

/** ZooKeeper backend settings, under {@code distributed-lock.zookeeper}. */
public class ZookeeperLockProperties {

	/**
	 * Connect string of the ZooKeeper ensemble, such as {@code zk1:2181,zk2:2181}. When set and no
	 * CuratorFramework bean exists, the starter creates, starts and closes a client.
	 */
	private String connectString;

	/** Root znode under which the locks are kept. */
	private String basePath = "/distributed-lock";

	/**
	 * Session timeout of the client the starter creates. For ZooKeeper this is the lease: a dead
	 * holder's lock frees itself when its session expires.
	 */
	private Duration sessionTimeout = Duration.ofSeconds(30);

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
}
