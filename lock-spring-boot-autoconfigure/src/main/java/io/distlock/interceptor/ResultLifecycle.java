package io.distlock.interceptor;

import org.jspecify.annotations.Nullable;

/**
 * How long the lock of one kind of result lives, and what the empty value of that kind is. One instance
 * per {@code @DistributedLocked} method, chosen once at startup from the method's declared return type
 * ({@link ResultLifecycles}), so a call never tests what its result is.
 */
abstract class ResultLifecycle {

	/** Runs {@code call} under its lock, or returns what takes the lock later (a future, a publisher). */
	abstract @Nullable Object invoke(LockCall call) throws Throwable;

	/**
	 * Checks at startup that a call of this kind can be skipped ({@code whenLocked = SKIP}).
	 * @return {@code null} if it can, else why not
	 */
	abstract @Nullable String whySkipIsImpossible();

	/** Whether a skipped call returns {@code null} (to a caller that may not expect it, in Kotlin). */
	abstract boolean skipReturnsNull();

	/** What this kind of result is, for messages. */
	abstract String describe();
}
