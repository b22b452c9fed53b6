package io.distlock.testsupport;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Records who held a lock when, and checks the history for the two invariants of a lock: no two
 * holders at once, and fencing tokens that strictly increase in acquisition order.
 *
 * <p>Times are {@link System#nanoTime()} values. Within one JVM they are comparable directly; across
 * processes on one machine they are comparable too on Linux (CLOCK_MONOTONIC is machine-wide), which
 * is what the cross-process tests rely on. Records can be written as lines and parsed back for that.
 *
 * <p>A holder that learned it lost its lease ({@code lost}) ends its interval at the moment it learned
 * that, if earlier than its release.
 */
public final class HistoryChecker {

	private final ConcurrentLinkedQueue<Hold> holds = new ConcurrentLinkedQueue<>();

	/** One holder's interval. */
	public record Hold(String holder, long token, long acquiredAt, long releasedAt, boolean lost) {

		/** Writes this hold as one line: {@code holder token acquiredAt releasedAt lost}. */
		public String toLine() {
			return this.holder + " " + this.token + " " + this.acquiredAt + " " + this.releasedAt + " " + this.lost;
		}

		/** Parses a line written by {@link #toLine()}. */
		public static Hold parse(String line) {
			String[] parts = line.trim().split(" ");
			return new Hold(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]),
					Boolean.parseBoolean(parts[4]));
		}
	}

	/** Records a completed hold. */
	public void record(String holder, long token, long acquiredAt, long releasedAt, boolean lost) {
		this.holds.add(new Hold(holder, token, acquiredAt, releasedAt, lost));
	}

	/** Records a hold parsed from another process. */
	public void record(Hold hold) {
		this.holds.add(hold);
	}

	/** Records every hold given. */
	public void recordAll(Collection<Hold> more) {
		this.holds.addAll(more);
	}

	/** Returns the holds recorded so far, ordered by acquisition. */
	public List<Hold> holds() {
		List<Hold> list = new ArrayList<>(this.holds);
		list.sort(Comparator.comparingLong(Hold::acquiredAt));
		return list;
	}

	/** Returns a description of every pair of intervals that overlap (empty when exclusion held). */
	public List<String> overlaps() {
		List<Hold> sorted = holds();
		List<String> problems = new ArrayList<>();
		Hold latest = null; // the interval that ends last among those seen
		for (Hold hold : sorted) {
			if (latest != null && hold.acquiredAt() < latest.releasedAt()) {
				problems.add("overlap: " + latest.toLine() + " and " + hold.toLine());
			}
			if (latest == null || hold.releasedAt() > latest.releasedAt()) {
				latest = hold;
			}
		}
		return problems;
	}

	/** Returns a description of every place where tokens do not strictly increase in acquisition order. */
	public List<String> tokenViolations() {
		List<Hold> sorted = holds();
		List<String> problems = new ArrayList<>();
		for (int i = 1; i < sorted.size(); i++) {
			if (sorted.get(i).token() <= sorted.get(i - 1).token()) {
				problems.add("token did not increase: " + sorted.get(i - 1).toLine() + " then " + sorted.get(i).toLine());
			}
		}
		return problems;
	}

	/** Throws an {@link AssertionError} listing every violation of exclusion or token order. */
	public void assertValid() {
		List<String> problems = new ArrayList<>(overlaps());
		problems.addAll(tokenViolations());
		if (!problems.isEmpty()) {
			throw new AssertionError(problems.size() + " violation(s) in " + this.holds.size() + " holds:\n"
					+ String.join("\n", problems.subList(0, Math.min(20, problems.size()))));
		}
	}

	/** Returns the number of holds recorded. */
	public int size() {
		return this.holds.size();
	}
}
