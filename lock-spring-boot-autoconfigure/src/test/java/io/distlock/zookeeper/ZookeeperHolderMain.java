package io.distlock.zookeeper;

import java.time.Duration;

import io.distlock.testsupport.HolderProcess;
import org.apache.curator.framework.CuratorFramework;

/** A child application instance on the zookeeper backend. Arguments: connect string, session timeout in ms. */
public final class ZookeeperHolderMain {

	public static void main(String[] args) throws Exception {
		Duration session = Duration.ofMillis(Long.parseLong(args[1]));
		CuratorFramework client = ZookeeperTestSupport.client(args[0], session);
		HolderProcess.run(new ZookeeperLockProvider(client, ZookeeperTestSupport.BASE_PATH), session);
	}
}
