package io.distlock.annotation;

/**
 * What a {@link DistributedLocked @DistributedLocked} call does when its lock stays taken by another
 * holder for the whole {@link DistributedLocked#waitTime() waitTime}.
 */
public enum WhenLocked {

	/**
	 * Throw {@link io.distlock.core.LockAcquisitionException} (for an asynchronous or reactive result:
	 * complete it with that error); the method does not run. The default.
	 */
	FAIL,

	/**
	 * Do not run the method and return its return type's empty value: nothing for {@code void},
	 * {@code null} for an object, {@code Optional.empty()}, an empty {@code Mono}/{@code Flux} (or other
	 * reactive type), a {@code CompletableFuture} completed with {@code null}. A DEBUG line is logged per
	 * skipped call. Only a lock that stays taken is skipped: a backend failure still throws
	 * {@link io.distlock.core.LockAcquisitionException}. A method returning a primitive other than
	 * {@code void}, or a reactive type that cannot be empty (RxJava's {@code Single}), fails startup.
	 */
	SKIP
}
