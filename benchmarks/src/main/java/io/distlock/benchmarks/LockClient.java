package io.distlock.benchmarks;

import java.time.Duration;

/**
 * One application instance's view of one lock implementation: run a body while holding a key.
 * Most peers are thread-bound, so the body runs and the lock is released on the calling thread.
 */
public interface LockClient extends AutoCloseable {

	/**
	 * Acquires {@code key} (waiting up to {@code wait}), runs {@code body}, releases.
	 * @throws IllegalStateException if the lock was not acquired within {@code wait} (the body did not run)
	 */
	void runLocked(String key, Duration wait, Runnable body) throws Exception;

	/** Closes what this client opened itself (not the instance's shared connections). */
	@Override
	default void close() throws Exception {
	}

	/** Lock and unlock as two calls: the shape of every peer's API. */
	@FunctionalInterface
	interface Locker {

		/** Acquires within {@code wait} and returns the unlock action, or throws {@link #notAcquired}. */
		Unlock lock(String key, Duration wait) throws Exception;
	}

	@FunctionalInterface
	interface Unlock {

		void unlock() throws Exception;
	}

	/** Adapts a {@link Locker}; {@code onClose} (may be null) closes what it opened. */
	static LockClient of(Locker locker, AutoCloseable onClose) {
		return new LockClient() {
			@Override
			public void runLocked(String key, Duration wait, Runnable body) throws Exception {
				Unlock unlock = locker.lock(key, wait);
				try {
					body.run();
				}
				finally {
					unlock.unlock();
				}
			}

			@Override
			public void close() throws Exception {
				if (onClose != null) {
					onClose.close();
				}
			}
		};
	}

	/** Throws the harness's standard "not acquired" error. */
	static IllegalStateException notAcquired(String key, Duration wait) {
		return new IllegalStateException("lock '" + key + "' not acquired within " + wait);
	}

	/** What a contender opens when this build cannot run it (for example fair locks on a backend without them): it is skipped. */
	record Unavailable(String reason) implements LockClient {

		@Override
		public void runLocked(String key, Duration wait, Runnable body) {
			throw new IllegalStateException(this.reason);
		}
	}
}
