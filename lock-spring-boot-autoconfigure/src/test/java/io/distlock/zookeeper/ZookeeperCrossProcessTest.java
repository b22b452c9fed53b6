package io.distlock.zookeeper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import io.distlock.testsupport.ChildJvm;
import io.distlock.testsupport.HistoryChecker;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Application instances in separate JVMs, sharing one ZooKeeper server. */
class ZookeeperCrossProcessTest {

	private static final Duration SESSION = ZookeeperTestSupport.SESSION;

	private static ChildJvm startChild() throws Exception {
		ChildJvm child = ChildJvm.start(ZookeeperHolderMain.class, connectString(), Long.toString(SESSION.toMillis()));
		child.await("READY", Duration.ofSeconds(60));
		return child;
	}

	@Test
	void instancesInSeveralJvmsLoseNoIncrementAndNeverOverlap() throws Exception {
		int children = 3;
		int iterations = 30;
		Path counter = Files.createTempFile("zk-counter", ".txt");
		Files.writeString(counter, "0");
		List<ChildJvm> jvms = new ArrayList<>();
		try {
			for (int i = 0; i < children; i++) {
				jvms.add(startChild());
			}
			for (int i = 0; i < children; i++) {
				jvms.get(i).send("fuzz cross-process counter " + iterations + " " + counter + " jvm" + i);
			}
			HistoryChecker history = new HistoryChecker();
			for (ChildJvm jvm : jvms) {
				jvm.await("FUZZ-DONE", Duration.ofMinutes(3));
				jvm.output().stream().filter((l) -> l.startsWith("HOLD ")).map((l) -> HistoryChecker.Hold.parse(l.substring(5)))
					.forEach(history::record);
			}
			assertThat(Long.parseLong(Files.readString(counter).trim())).as("lost increments").isEqualTo((long) children * iterations);
			assertThat(history.size()).isEqualTo(children * iterations);
			history.assertValid();
		}
		finally {
			for (ChildJvm jvm : jvms) {
				jvm.close();
			}
			Files.deleteIfExists(counter);
		}
	}

	@Test
	void lockOfAKilledJvmIsFreeAfterItsSessionTimeout() throws Exception {
		try (ChildJvm child = startChild();
				CuratorFramework client = ZookeeperTestSupport.client(connectString(), SESSION);
				ZookeeperLockProvider provider = new ZookeeperLockProvider(client, ZookeeperTestSupport.BASE_PATH);
				LockTemplate survivor = new LockTemplate(provider, Duration.ZERO, SESSION)) {
			child.send("hold killed k");
			long childToken = Long.parseLong(child.await("ACQUIRED", Duration.ofSeconds(30)).split(" ")[1]);
			child.kill();
			long killedAt = System.nanoTime();
			// the server has not noticed yet: the session, and the lock, outlive the process for a while
			assertThat(survivor.tryAcquire("killed", "k", Duration.ZERO)).isEmpty();
			try (LockHandle next = survivor.tryAcquire("killed", "k", SESSION.multipliedBy(4)).orElseThrow()) {
				Duration freedAfter = Duration.ofNanos(System.nanoTime() - killedAt);
				assertThat(freedAfter).isLessThan(SESSION.multipliedBy(3));
				assertThat(next.fencingToken()).isGreaterThan(childToken);
			}
		}
	}

	private static String connectString() throws Exception {
		return ZookeeperTestSupport.sharedServer().getConnectString();
	}
}
