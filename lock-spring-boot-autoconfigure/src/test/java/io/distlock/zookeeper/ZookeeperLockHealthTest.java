package io.distlock.zookeeper;

import io.distlock.actuate.AbstractLockHealthTest;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The health contributor on the ZooKeeper backend, with a server of its own that it stops and restarts. */
class ZookeeperLockHealthTest extends AbstractLockHealthTest {

	private static TestingServer server;

	@BeforeAll
	static void startZookeeper() throws Exception {
		server = ZookeeperTestSupport.startServer(ZookeeperTestSupport.TICK_MS);
	}

	@AfterAll
	static void stopZookeeper() throws Exception {
		server.close();
	}

	@Override
	protected ApplicationContextRunner backend() {
		return new ApplicationContextRunner().withPropertyValues("distributed-lock.backend=zookeeper",
				"distributed-lock.zookeeper.connect-string=" + server.getConnectString(),
				"distributed-lock.zookeeper.session-timeout=" + ZookeeperTestSupport.SESSION.toMillis() + "ms",
				"distributed-lock.zookeeper.connection-timeout=1s");
	}

	@Override
	protected String backendName() {
		return "zookeeper";
	}

	@Override
	protected void stopServer() throws Exception {
		server.stop();
	}

	@Override
	protected void startServer() throws Exception {
		server.restart();
	}
}
