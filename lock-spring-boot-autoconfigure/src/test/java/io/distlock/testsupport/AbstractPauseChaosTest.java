package io.distlock.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pause-and-fence chaos suite every backend runs: application instances are child JVMs
 * ({@link ChildJvm} running {@link HolderProcess}), a holder is frozen with {@code SIGSTOP} past its
 * lease, and the protected storage is a {@link FencedStore}. It shows what a lock alone cannot
 * promise (a paused holder still believes it holds) and what fencing tokens do promise: the paused
 * holder's late write is rejected, its late release frees nothing, and tokens strictly increase.
 *
 * <p>A backend's subclass starts its server once for the class and implements {@link #startHolder()}.
 */
public abstract class AbstractPauseChaosTest {

	private final List<ChildJvm> children = new ArrayList<>();

	@TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
	Path dir;

	private String lockName;

	/**
	 * Starts one application instance on the backend under test: a child JVM whose main builds the
	 * backend's provider with a lease of {@link #lease()} and calls {@link HolderProcess#run}.
	 */
	protected abstract ChildJvm startHolder() throws Exception;

	/** The lease of the holders {@link #startHolder()} starts (for ZooKeeper: the session timeout). */
	protected abstract Duration lease();

	/** Slack on top of the lease for scheduling, JVM start-up and round trips on a loaded 2-core machine. */
	protected Duration slack() {
		return Duration.ofSeconds(5);
	}

	@BeforeEach
	void name() {
		this.lockName = "chaos-" + getClass().getSimpleName() + "-" + System.nanoTime();
	}

	@AfterEach
	void stopChildren() throws Exception {
		for (ChildJvm child : this.children) {
			child.close();
		}
		this.children.clear();
	}

	/** How long after a release another instance may still find the lock taken (see the contract suite's). */
	protected Duration releaseVisibleWithin() {
		return Duration.ZERO;
	}

	@Test
	void pausedHoldersWriteIsRejectedAndItsReleaseFreesNothing() throws Exception {
		FencedStore store = new FencedStore(this.dir.resolve("store"));
		ChildJvm stale = holder();
		ChildJvm next = holder();
		ChildJvm probe = holder();

		stale.send("hold " + this.lockName + " k");
		long staleToken = token(stale.await("ACQUIRED", timeout()));
		stale.send("write " + this.dir.resolve("store") + " 1");
		assertThat(stale.await("WRITE-", timeout())).isEqualTo("WRITE-ACCEPTED " + staleToken);

		long pausedAt = System.nanoTime();
		stale.pause(); // a GC pause or a swapped-out process: it cannot renew, and does not know
		next.send("hold " + this.lockName + " k");
		long nextToken = token(next.await("ACQUIRED", lease().plus(timeout())));
		assertThat(nextToken).as("token of the holder after the pause").isGreaterThan(staleToken);
		next.send("write " + this.dir.resolve("store") + " 2");
		assertThat(next.await("WRITE-", timeout())).isEqualTo("WRITE-ACCEPTED " + nextToken);

		stale.resume();
		long resumedAt = System.nanoTime();
		// at once, before it may have noticed anything: the write it was about to do
		stale.send("write " + this.dir.resolve("store") + " 99");
		assertThat(stale.await("WRITE-", timeout())).isEqualTo("WRITE-REJECTED " + staleToken);
		awaitHeld(stale, false); // and it learns its lease is lost
		stale.send("release"); // the late release of a lock that is someone else's now
		assertThat(stale.await("RELEASED", timeout())).isEqualTo("RELEASED false");

		// the stale release freed nothing: the new holder still excludes everyone
		probe.send("try " + this.lockName + " k");
		assertThat(probe.await("TRIED", timeout())).as(() -> "after the stale release; new holder printed " + protocol(next)
				+ ", stale holder printed " + protocol(stale)).isEqualTo("TRIED NOT-ACQUIRED");
		awaitHeld(next, true);
		next.send("release");
		assertThat(next.await("RELEASED", timeout())).isEqualTo("RELEASED true");
		probe.send("try " + this.lockName + " k " + releaseVisibleWithin().toMillis());
		long probeToken = token(probe.await("TRIED", timeout()).substring("TRIED ".length()));
		assertThat(probeToken).isGreaterThan(nextToken);
		probe.send("release");
		probe.await("RELEASED", timeout());

		assertThat(store.state()).isEqualTo(new FencedStore.State(nextToken, 2, 2, 1));
		HistoryChecker history = history(stale, next, probe);
		assertThat(history.size()).isEqualTo(3);
		assertThat(history.tokenViolations()).isEmpty();
		assertThat(history.overlaps()).as("the pause made the stale holder's belief overlap the next holder").hasSize(1);
		withoutPausedHolds(history, List.of(new Pause("pid" + stale.pid(), pausedAt, resumedAt))).assertValid();
	}

	@Test
	void fencedCounterLosesNoIncrementWhileHoldersArePaused() throws Exception {
		Path storeFile = this.dir.resolve("counter");
		FencedStore store = new FencedStore(storeFile);
		int iterations = 25;
		List<ChildJvm> holders = List.of(holder(), holder(), holder());
		for (int i = 0; i < holders.size(); i++) {
			holders.get(i).send("fenced-fuzz " + this.lockName + " counter " + iterations + " " + storeFile + " h" + i);
		}
		Random random = new Random(42);
		List<Pause> pauses = new ArrayList<>();
		for (int attempt = 0; pauses.size() < 2 && attempt < 10; attempt++) {
			List<ChildJvm> running = holders.stream().filter((h) -> count(h, "FENCED-FUZZ-DONE") == 0).toList();
			if (running.size() < 2) {
				break; // nobody left to take over from a paused holder
			}
			ChildJvm child = running.get(random.nextInt(running.size()));
			int victim = holders.indexOf(child);
			// inside the critical section, between read and write; a holder that finished first is skipped
			if (!awaitNewLine(child, "LOCKED ", lease().plus(timeout()))) {
				continue;
			}
			long pausedAt = System.nanoTime();
			child.pause();
			awaitSomeoneElseLocks(holders, child, lease().plus(timeout()));
			child.resume();
			pauses.add(new Pause("h" + victim, pausedAt, System.nanoTime()));
		}
		for (ChildJvm holder : holders) {
			holder.await("FENCED-FUZZ-DONE", Duration.ofMinutes(2));
		}
		assertThat(pauses).as("holders paused inside their critical section").isNotEmpty();

		FencedStore.State state = store.state();
		assertThat(state.value()).as("counter = accepted increments: no lost update").isEqualTo(state.acceptedWrites());
		assertThat(state.acceptedWrites() + state.rejected()).as("one read or write decided per increment")
			.isEqualTo((long) holders.size() * iterations);
		HistoryChecker history = history(holders.toArray(ChildJvm[]::new));
		assertThat(history.size()).isEqualTo(holders.size() * iterations);
		assertThat(history.tokenViolations()).isEmpty();
		withoutPausedHolds(history, pauses).assertValid();
	}

	/** A holder (as named in its holds) was paused from {@code from} to {@code to} ({@link System#nanoTime()}). */
	private record Pause(String holder, long from, long to) {
	}

	/** Holds during which their holder was paused may overlap others (that is what fencing is for); no other may. */
	private static HistoryChecker withoutPausedHolds(HistoryChecker history, List<Pause> pauses) {
		HistoryChecker unpaused = new HistoryChecker();
		for (HistoryChecker.Hold hold : history.holds()) {
			boolean paused = pauses.stream()
				.anyMatch((p) -> hold.holder().equals(p.holder()) && hold.acquiredAt() < p.to() && p.from() < hold.releasedAt());
			if (!paused) {
				unpaused.record(hold);
			}
		}
		return unpaused;
	}

	private HistoryChecker history(ChildJvm... from) {
		HistoryChecker history = new HistoryChecker();
		for (ChildJvm child : from) {
			child.output().stream().filter((line) -> line.startsWith("HOLD ")).map((line) -> HistoryChecker.Hold.parse(line.substring(5)))
				.forEach(history::record);
		}
		return history;
	}

	/** Waits until another holder acquires while {@code paused} is stopped (or all others are done). */
	private void awaitSomeoneElseLocks(List<ChildJvm> holders, ChildJvm paused, Duration timeout) throws InterruptedException {
		List<ChildJvm> others = holders.stream().filter((h) -> h != paused).toList();
		long before = others.stream().mapToLong((h) -> count(h, "LOCKED ")).sum();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (others.stream().mapToLong((h) -> count(h, "LOCKED ")).sum() == before
				&& others.stream().anyMatch((h) -> count(h, "FENCED-FUZZ-DONE") == 0)) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("no other holder acquired within " + timeout + " while one was paused");
			}
			Thread.sleep(20);
		}
	}

	/**
	 * Waits for a line starting with {@code prefix} printed after this call began.
	 * @return {@code false} if the child finished its fuzz run first (so it will print none)
	 */
	private static boolean awaitNewLine(ChildJvm child, String prefix, Duration timeout) throws InterruptedException {
		long before = count(child, prefix);
		long deadline = System.nanoTime() + timeout.toNanos();
		while (count(child, prefix) == before) {
			if (count(child, "FENCED-FUZZ-DONE") > 0) {
				return count(child, prefix) > before;
			}
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("holder " + child.pid() + " printed no new '" + prefix + "' within " + timeout);
			}
			Thread.sleep(2);
		}
		return true;
	}

	/** The child's answers to commands, without its log lines. */
	private static List<String> protocol(ChildJvm child) {
		return child.output().stream().filter((line) -> line.matches("[A-Z-]+( .*)?")).toList();
	}

	private static long count(ChildJvm child, String prefix) {
		return child.output().stream().filter((line) -> line.startsWith(prefix)).count();
	}

	private void awaitHeld(ChildJvm child, boolean expected) throws InterruptedException {
		long deadline = System.nanoTime() + lease().plus(slack()).toNanos();
		while (true) {
			child.send("held");
			if (child.await("HELD", timeout()).equals("HELD " + expected)) {
				return;
			}
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("holder " + child.pid() + " did not report held=" + expected + " within " + lease().plus(slack()));
			}
			Thread.sleep(100);
		}
	}

	private ChildJvm holder() throws Exception {
		ChildJvm child = startHolder();
		this.children.add(child);
		child.await("READY", Duration.ofSeconds(60));
		return child;
	}

	private Duration timeout() {
		return slack().plus(Duration.ofSeconds(10));
	}

	private static long token(String acquiredLine) {
		assertThat(acquiredLine).startsWith("ACQUIRED ");
		return Long.parseLong(acquiredLine.substring("ACQUIRED ".length()));
	}
}
