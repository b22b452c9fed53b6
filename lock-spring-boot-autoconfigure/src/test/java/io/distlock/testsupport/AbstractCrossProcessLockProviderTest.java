package io.distlock.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.distlock.core.LockHandle;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract for backends shared by several processes: everything in
 * {@link AbstractLockProviderContractTest}, plus application instances in separate JVMs (child JVMs
 * running {@link HolderProcess}) that exclude each other and free a killed holder's lock.
 */
public abstract class AbstractCrossProcessLockProviderTest extends AbstractLockProviderContractTest {

	/**
	 * Starts a child JVM that is one more application instance on this backend, with {@code lease} as
	 * its default lease (for ZooKeeper: its session timeout), and waits until it printed {@code READY}.
	 */
	protected abstract ChildJvm startChildInstance(Duration lease) throws Exception;

	/** The lease of the holder that gets killed; long enough for a child to renew it on a loaded machine. */
	protected Duration killedHolderLease() {
		return Duration.ofSeconds(2);
	}

	/** How soon after the kill the lock must be free again: the lease plus slack for the server to notice. */
	protected Duration killedHolderReleaseBound(Duration lease) {
		return lease.plus(slack()).plus(slack());
	}

	/**
	 * Whether the backend itself keeps a minimum hold when the holder dies right after releasing (Redis,
	 * JDBC: an expiry set by the server's clock at release). ZooKeeper's delayed delete ends with the
	 * holder's session instead.
	 */
	protected boolean keepsMinimumHoldAfterTheHolderDies() {
		return true;
	}

	@Test
	void holderKilledRightAfterReleasingKeepsTheMinimumHold() throws Exception {
		assumeTrue(keepsMinimumHoldAfterTheHolderDies(), "this backend ends a minimum hold with the holder's session");
		Duration lease = Duration.ofSeconds(2);
		Duration minHold = Duration.ofSeconds(5);
		Instance survivor = newInstance(lease);
		try (ChildJvm child = startChildInstance(lease)) {
			child.send("hold-min " + lockName() + " k " + minHold.toMillis());
			long token = Long.parseLong(child.await("ACQUIRED", Duration.ofSeconds(60)).split(" ")[1]);
			long acquiredAt = System.nanoTime(); // no earlier than the child's acquisition
			child.send("release");
			child.await("RELEASED", Duration.ofSeconds(30));
			child.kill(); // nothing of the child renews or releases any more: only the backend keeps the hold
			long freedAt;
			while (true) {
				Optional<LockHandle> next = survivor.template.tryAcquire(lockName(), "k", Duration.ZERO);
				if (next.isPresent()) {
					freedAt = System.nanoTime();
					assertThat(next.get().fencingToken()).isGreaterThan(token);
					next.get().close();
					break;
				}
				assertThat(Duration.ofNanos(System.nanoTime() - acquiredAt)).isLessThan(minHold.plus(slack()));
				Thread.sleep(50);
			}
			// the child's acquisition happened before acquiredAt, by at most the time its line took to arrive
			assertThat(Duration.ofNanos(freedAt - acquiredAt)).as("freed after").isGreaterThan(minHold.minusMillis(500));
		}
	}

	@Test
	void instancesInSeparateJvmsLoseNoUpdateAndNeverOverlap() throws Exception {
		int jvms = 3;
		int perJvm = 25;
		Path counter = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "counter", ".txt");
		Files.writeString(counter, "0");
		HistoryChecker history = new HistoryChecker();
		List<ChildJvm> children = new ArrayList<>();
		try {
			for (int i = 0; i < jvms; i++) {
				children.add(startChildInstance(Duration.ofSeconds(30)));
			}
			for (int i = 0; i < jvms; i++) {
				children.get(i).send("fuzz " + lockName() + " counter " + perJvm + " " + counter + " jvm" + i);
			}
			for (ChildJvm child : children) {
				child.await("FUZZ-DONE", Duration.ofMinutes(3));
				child.output().stream().filter((line) -> line.startsWith("HOLD ")).map((line) -> line.substring(5))
					.map(HistoryChecker.Hold::parse).forEach(history::record);
			}
		}
		finally {
			for (ChildJvm child : children) {
				child.close();
			}
		}
		assertThat(Long.parseLong(Files.readString(counter).trim())).as("lost updates").isEqualTo((long) jvms * perJvm);
		assertThat(history.size()).isEqualTo(jvms * perJvm);
		history.assertValid();
	}

	@Test
	void killedHolderJvmFreesTheLockWithinItsLease() throws Exception {
		Duration lease = killedHolderLease();
		Instance survivor = newInstance(lease);
		try (ChildJvm child = startChildInstance(lease)) {
			child.send("hold " + lockName() + " k");
			long childToken = Long.parseLong(child.await("ACQUIRED", Duration.ofSeconds(60)).split(" ")[1]);
			// alive, the child keeps its lock past its lease (renewal, or a live session)
			Thread.sleep(lease.toMillis() * 3 / 2);
			assertThat(survivor.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
			child.kill();
			long killedAt = System.nanoTime();
			Duration bound = killedHolderReleaseBound(lease);
			try (LockHandle next = survivor.template.tryAcquire(lockName(), "k", bound.plus(slack())).orElseThrow()) {
				assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThanOrEqualTo(bound);
				assertThat(next.fencingToken()).isGreaterThan(childToken);
			}
		}
	}
}
