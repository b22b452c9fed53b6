/**
 * The {@code @DistributedLocked} advice: reads and checks the annotations at startup
 * ({@link io.distlock.interceptor.LockOperationSource}), evaluates each call's keys and durations (SpEL),
 * and acquires, runs and releases as the method's result type needs (synchronous, {@code CompletionStage},
 * reactive and Kotlin {@code suspend} results), through the {@link io.distlock.core.LockTemplate}.
 */
@NullMarked
package io.distlock.interceptor;

import org.jspecify.annotations.NullMarked;
