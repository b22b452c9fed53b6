package io.distlock.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The copies of a release message that a Cluster delivers from every master are recognised as copies. */
class RecentMessagesTest {

	@Test
	void aMessageIsNewOnceAndItsCopiesAreNot() {
		RecentMessages recent = new RecentMessages(2);
		assertThat(recent.firstSight("lock-a\nowner:1")).isTrue();
		assertThat(recent.firstSight("lock-a\nowner:1")).isFalse();
		assertThat(recent.firstSight("lock-a\nowner:2")).as("the next release of the same lock").isTrue();
		assertThat(recent.firstSight("lock-a\nowner:1")).isFalse();
	}

	@Test
	void remembersOnlyTheLastMessages() {
		RecentMessages recent = new RecentMessages(2);
		recent.firstSight("m1");
		recent.firstSight("m2");
		recent.firstSight("m3");
		assertThat(recent.firstSight("m1")).as("forgotten: the oldest of three with room for two").isTrue();
		assertThat(recent.firstSight("m3")).isFalse();
	}
}
