package io.distlock.zookeeper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The queue order around the wrap of ZooKeeper's sequence counter: the suffix is the parent's child
 * version, a signed 32-bit counter formatted with {@code %010d}, so after 2^31 changes of one lock's
 * queue it reads {@code -2147483648}, then counts up through {@code -999999999} (ten characters with the
 * sign) to {@code 0000000000}.
 */
class QueueOrderTest {

	@Test
	void eachNodeWaitsForTheOneCreatedJustBeforeItAcrossTheWrap() {
		assertCreationOrderIsQueueOrder(Integer.MAX_VALUE - 1, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE + 1);
		assertCreationOrderIsQueueOrder(-1_000_000_001, -1_000_000_000, -999_999_999, -999_999_998);
		assertCreationOrderIsQueueOrder(-2, -1, 0, 1);
		assertCreationOrderIsQueueOrder(0, 1, 999_999_999, 1_000_000_000);
	}

	@Test
	void aNewcomerAfterTheWrapNeverJumpsAheadOfTheHolder() {
		// the holder was created just before the wrap; newcomers up to 2^31 - 1 changes after it (-5 is the last)
		String holder = node(Integer.MAX_VALUE - 3);
		for (int newcomer : new int[] { Integer.MAX_VALUE, Integer.MIN_VALUE, -1_500_000_000, -999_999_999, -5 }) {
			List<String> queue = List.of(node(newcomer), holder);
			assertThat(QueueOrder.predecessor(queue, node(newcomer))).as("newcomer %d", newcomer).isEqualTo(holder);
			assertThat(QueueOrder.predecessor(queue, holder)).as("holder, newcomer %d", newcomer).isNull();
		}
	}

	@Test
	void nodesOfOthersAreIgnored() {
		List<String> queue = List.of("someone-elses-node", node(5), "x");
		assertThat(QueueOrder.predecessor(queue, node(5))).isNull();
		assertThat(QueueOrder.predecessor(List.of("someone-elses-node", node(5), node(6)), node(6))).isEqualTo(node(5));
	}

	@Test
	void sequenceIsTheSignedSuffixAsTheServerFormatsIt() {
		assertThat(QueueOrder.sequence(node(42))).isEqualTo(42);
		assertThat(QueueOrder.sequence(node(Integer.MAX_VALUE))).isEqualTo(Integer.MAX_VALUE);
		assertThat(QueueOrder.sequence(node(Integer.MIN_VALUE))).isEqualTo(Integer.MIN_VALUE);
		assertThat(QueueOrder.sequence(node(-5))).isEqualTo(-5);
		assertThat(QueueOrder.sequence(node(-999_999_999))).isEqualTo(-999_999_999);
		assertThat(QueueOrder.sequence("_c_0b6f-lock-0000000042")).isEqualTo(42);
		for (String foreign : new String[] { "someone-elses-node", "x", "lock-42", "lock-+000000042", "lock-00000000042", "lock-2147483648" }) {
			assertThat(QueueOrder.sequence(foreign)).as(foreign).isEqualTo(QueueOrder.NONE);
		}
	}

	/** Asserts that, whatever order the server lists them in, each node's predecessor is the one created before it. */
	private static void assertCreationOrderIsQueueOrder(int... sequences) {
		List<String> created = new ArrayList<>();
		for (int sequence : sequences) {
			created.add(node(sequence));
		}
		List<String> listed = new ArrayList<>(created);
		Collections.reverse(listed);
		for (int i = 0; i < created.size(); i++) {
			String expected = (i == 0) ? null : created.get(i - 1);
			assertThat(QueueOrder.predecessor(listed, created.get(i))).as("predecessor of %s", created.get(i)).isEqualTo(expected);
		}
	}

	/** A lock node as ZooKeeper names it: our protected prefix, then the sequence formatted as the server does. */
	static String node(int sequence) {
		return "_c_0b6f3a52-9d0e-4a3b-8d55-0c9e1b2f7a11-" + ZookeeperLockProvider.LOCK_NODE
				+ String.format(Locale.ENGLISH, "%010d", sequence);
	}
}
