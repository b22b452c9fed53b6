package io.distlock.redis;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the last few release messages, to drop the copies of one message. On a Cluster the
 * provider subscribes on every master, so that a release reaches it straight from the node that ran
 * it; the cluster bus then brings the same message again from every other node, milliseconds later,
 * and each copy would wake the waiters for another useless attempt. Every release message is unique
 * (it names the releasing owner), so a message seen before is a copy. Thread-safe.
 */
final class RecentMessages {

	private final Map<String, Boolean> seen;

	/** @param capacity how many messages to remember: copies arrive within tens of milliseconds of the first */
	RecentMessages(int capacity) {
		this.seen = new LinkedHashMap<>(capacity * 4 / 3 + 1) {

			@Override
			protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
				return size() > capacity;
			}
		};
	}

	/** Returns {@code true} the first time {@code message} is offered, {@code false} for its copies. */
	synchronized boolean firstSight(String message) {
		return this.seen.put(message, Boolean.TRUE) == null;
	}
}
