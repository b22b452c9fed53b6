package io.distlock.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checker must be able to fail, or the tests that rely on it prove nothing. */
class HistoryCheckerTest {

	@Test
	void acceptsDisjointIntervalsWithIncreasingTokens() {
		HistoryChecker history = new HistoryChecker();
		history.record("a", 1, 0, 10, false);
		history.record("b", 2, 10, 20, false);
		history.record("c", 5, 30, 40, false);
		history.assertValid();
	}

	@Test
	void findsAnOverlapEvenBehindAShortInterval() {
		HistoryChecker history = new HistoryChecker();
		history.record("long", 1, 0, 100, false);
		history.record("short", 2, 100, 110, false);
		history.record("x", 3, 50, 60, false);
		assertThat(history.overlaps()).hasSize(1);
		assertThatThrownBy(history::assertValid).hasMessageContaining("overlap");
	}

	@Test
	void findsTokensThatDoNotIncrease() {
		HistoryChecker history = new HistoryChecker();
		history.record("a", 7, 0, 10, false);
		history.record("b", 7, 20, 30, false);
		assertThat(history.tokenViolations()).hasSize(1);
	}

	@Test
	void linesRoundTrip() {
		HistoryChecker.Hold hold = new HistoryChecker.Hold("p1-t3", 42, 123, 456, true);
		assertThat(HistoryChecker.Hold.parse(hold.toLine())).isEqualTo(hold);
	}
}
