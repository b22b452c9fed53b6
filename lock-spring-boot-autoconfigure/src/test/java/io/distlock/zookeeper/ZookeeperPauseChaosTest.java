package io.distlock.zookeeper;

import java.time.Duration;

import io.distlock.testsupport.AbstractPauseChaosTest;
import io.distlock.testsupport.ChildJvm;

/**
 * The pause-and-fence chaos suite on a real ZooKeeper server: the lease is the holder's session, which
 * the server expires while the holder is stopped; the token is the lock node's creation zxid.
 */
class ZookeeperPauseChaosTest extends AbstractPauseChaosTest {

	@Override
	protected ChildJvm startHolder() throws Exception {
		return ChildJvm.start(ZookeeperHolderMain.class, ZookeeperTestSupport.sharedServer().getConnectString(),
				Long.toString(lease().toMillis()));
	}

	@Override
	protected Duration lease() {
		return ZookeeperTestSupport.SESSION;
	}

	/** A release only sends its delete: the lock is free once the server applies it. */
	@Override
	protected Duration releaseVisibleWithin() {
		return Duration.ofSeconds(2);
	}
}
