package io.distlock.redis;

import java.time.Duration;

import io.distlock.testsupport.AbstractPauseChaosTest;
import io.distlock.testsupport.ChildJvm;

/** The pause-and-fence chaos suite on a real redis-server: holders are child JVMs with their own connections. */
class RedisPauseChaosTest extends AbstractPauseChaosTest {

	private static final Duration LEASE = Duration.ofSeconds(3);

	@Override
	protected ChildJvm startHolder() throws Exception {
		return ChildJvm.start(RedisHolderMain.class, Integer.toString(RedisServerProcess.shared().port()), Long.toString(LEASE.toMillis()));
	}

	@Override
	protected Duration lease() {
		return LEASE;
	}
}
