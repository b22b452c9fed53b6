package io.distlock.core;

import org.jspecify.annotations.Nullable;

/**
 * Observes the life of acquisitions, for meters, traces and logs. An acquisition is reported in three
 * steps, each returning the observer of the next one, so an implementation can keep per-acquisition
 * state (a timer sample, an {@code Observation}) without a map:
 *
 * <pre>
 * acquiring(request, backend)        on the calling thread, before any wait (re-entries are not reported)
 *   -&gt; Acquisition.acquired(token)  or Acquisition.notAcquired(errorOrNull), exactly once
 *        -&gt; Holding.lost(reason)    at most once, while held
 *        -&gt; Holding.released()      exactly once, when the lock is released (also after a loss)
 * </pre>
 *
 * <p>Calls are isolated: an exception is logged and affects nothing else. They may come from any thread,
 * but never from the thread that renews leases. Implementations should be fast.
 */
public interface LockEventListener {

	/** A listener that ignores everything. */
	LockEventListener NONE = new LockEventListener() {
	};

	/**
	 * An acquisition of {@code request} starts on the calling thread.
	 * @param backend the provider's {@link LockProvider#backendName()}
	 * @return the observer of this acquisition's outcome
	 */
	default Acquisition acquiring(LockRequest request, String backend) {
		return Acquisition.NONE;
	}

	/** Observes one acquisition until it is granted or given up. */
	interface Acquisition {

		/** Ignores the outcome. */
		Acquisition NONE = new Acquisition() {
		};

		/**
		 * The lock was granted with {@code fencingToken}.
		 * @return the observer of this hold
		 */
		default Holding acquired(long fencingToken) {
			return Holding.NONE;
		}

		/**
		 * The lock was not acquired: {@code error} is {@code null} when it stayed taken for the whole wait,
		 * else the backend's failure (or an interruption).
		 */
		default void notAcquired(@Nullable Throwable error) {
		}
	}

	/** Observes one held lock until it is released. */
	interface Holding {

		/** Ignores the hold. */
		Holding NONE = new Holding() {
		};

		/** The holder learned that its lease is lost ({@code reason} says why). */
		default void lost(String reason) {
		}

		/** The lock was released (or, after a loss, given up). Called exactly once. */
		default void released() {
		}
	}
}
