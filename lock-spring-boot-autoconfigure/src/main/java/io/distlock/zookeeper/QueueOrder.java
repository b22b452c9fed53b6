package io.distlock.zookeeper;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The order of one lock's queue: which node holds the lock and which node a waiter watches.
 *
 * <p>ZooKeeper names a sequential node after its parent's child version: a signed 32-bit counter,
 * formatted with {@code %010d}, that every create and delete of a child raises. After 2^31 changes of one
 * lock's queue it wraps from {@code 2147483647} to {@code -2147483648} and counts up through
 * {@code -999999999} to {@code 0000000000} again. Nodes are therefore compared by serial-number
 * arithmetic (RFC 1982): {@code a} was created before {@code b} when {@code b - a}, computed in 32 bits,
 * is positive. That is exact as long as the nodes present at once in one queue were created fewer than
 * 2^31 changes apart, which a queue of waiters cannot exceed in practice (it would take a single lock
 * held or awaited while two billion other acquisitions of the same key come and go).
 */
final class QueueOrder {

	/** What {@link #sequence} returns for a node without a sequence suffix of ours. */
	static final long NONE = Long.MIN_VALUE;

	private QueueOrder() {
	}

	/**
	 * Returns the node created just before {@code ourNode} among {@code children}, or {@code null} if ours
	 * is first. Nodes without a sequence suffix (put there by someone else) are ignored.
	 */
	static @Nullable String predecessor(List<String> children, String ourNode) {
		long our = sequence(ourNode);
		if (our == NONE) {
			throw new IllegalArgumentException("not a lock node: " + ourNode);
		}
		String predecessor = null;
		int closest = Integer.MAX_VALUE;
		for (String child : children) {
			long sequence = sequence(child);
			if (sequence == NONE || child.equals(ourNode)) {
				continue;
			}
			int behind = (int) our - (int) sequence; // wraps like the counter
			if (behind > 0 && behind <= closest) {
				predecessor = child;
				closest = behind;
			}
		}
		return predecessor;
	}

	/**
	 * Returns the signed sequence number ZooKeeper appended after {@link ZookeeperLockProvider#LOCK_NODE}
	 * ({@code 0000000042}, {@code -000000005}, {@code -2147483648}), or {@link #NONE}.
	 */
	static long sequence(String node) {
		int marker = node.lastIndexOf(ZookeeperLockProvider.LOCK_NODE);
		if (marker < 0) {
			return NONE;
		}
		int start = marker + ZookeeperLockProvider.LOCK_NODE.length();
		int length = node.length() - start;
		boolean negative = length > 0 && node.charAt(start) == '-';
		if (length != 10 && !(negative && length == 11)) {
			return NONE;
		}
		long value = 0;
		for (int i = negative ? start + 1 : start; i < node.length(); i++) {
			char c = node.charAt(i);
			if (c < '0' || c > '9') {
				return NONE;
			}
			value = value * 10 + (c - '0');
		}
		value = negative ? -value : value;
		return (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) ? NONE : value;
	}
}
