package io.distlock.benchmarks;

import java.time.Duration;

/**
 * One application instance's view of one lock implementation: lock a key (waiting), get back the
 * action that unlocks it. Implementations may be thread-bound (most peers are): the harness always
 * unlocks on the thread that locked.
 */
public interface LockClient extends AutoCloseable {

	/**
	 * Acquires {@code key}, waiting up to {@code wait}.
	 * @return the unlock action
	 * @throws IllegalStateException if the lock was not acquired within {@code wait}
	 */
	Unlock lock(String key, Duration wait) throws Exception;

	/** Releases what {@link #lock(String, Duration)} acquired. */
	@FunctionalInterface
	interface Unlock {

		void unlock() throws Exception;
	}

	/** Closes what this client opened itself (not the instance's shared connections). */
	@Override
	default void close() throws Exception {
	}

	/** Throws the harness's standard "not acquired" error. */
	static IllegalStateException notAcquired(String key, Duration wait) {
		return new IllegalStateException("lock '" + key + "' not acquired within " + wait);
	}
}
