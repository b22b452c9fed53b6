package io.distlock.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What a caller asks a {@link LockProvider} for: one lock, identified by its name and key, to be
 * acquired within {@code waitTime} and held for at most {@code leaseTime} without renewal.
 *
 * <p>{@code storageName} is the name as the backend stores it: the configured key prefix followed by
 * {@code name}. Backends build their keys, znodes or rows from {@code storageName} and {@code key};
 * messages shown to users use {@code name} and {@code key}.
 *
 * @param name the lock's namespace as the user wrote it
 * @param key the evaluated key; {@code ""} means one lock for the whole name
 * @param storageName {@code keyPrefix + name}
 * @param waitTime how long to wait; {@link Duration#ZERO} means try once
 * @param leaseTime how long the lock outlives a silent holder; always positive
 * @param fair whether callers of every instance must get the lock in the order in which they started
 * waiting; only sent to a provider whose {@link LockProvider#supportsFairLocks()} is {@code true}
 */
public record LockRequest(String name, String key, String storageName, Duration waitTime, Duration leaseTime, boolean fair) {

	public LockRequest {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(key, "key");
		Objects.requireNonNull(storageName, "storageName");
		Objects.requireNonNull(waitTime, "waitTime");
		Objects.requireNonNull(leaseTime, "leaseTime");
		if (waitTime.isNegative()) {
			throw new IllegalArgumentException("waitTime must not be negative for lock " + describe(name, key) + ": " + waitTime);
		}
		if (leaseTime.isNegative() || leaseTime.isZero()) {
			throw new IllegalArgumentException("leaseTime must be positive for lock " + describe(name, key) + ": " + leaseTime);
		}
	}

	/** Creates a request for a non-fair lock. */
	public LockRequest(String name, String key, String storageName, Duration waitTime, Duration leaseTime) {
		this(name, key, storageName, waitTime, leaseTime, false);
	}

	/** Returns a request for the same lock with another wait time (used when part of the wait is spent). */
	public LockRequest withWaitTime(Duration newWaitTime) {
		return new LockRequest(this.name, this.key, this.storageName, newWaitTime, this.leaseTime, this.fair);
	}

	/** Returns {@code name} or {@code name[key]} for messages. */
	public String describe() {
		return describe(this.name, this.key);
	}

	static String describe(String name, String key) {
		return key.isEmpty() ? "'" + name + "'" : "'" + name + "' with key '" + key + "'";
	}
}
