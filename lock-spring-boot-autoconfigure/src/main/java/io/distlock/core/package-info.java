/**
 * The library's core, independent of any backend and of Spring: the {@link io.distlock.core.LockProvider}
 * SPI that backends implement, and {@link io.distlock.core.LockTemplate}, which adds what every backend
 * shares (re-entry, local queueing, lease renewal, minimum hold times, lost-lease signalling, shutdown)
 * and is the programmatic API for code that cannot use {@code @DistributedLocked}.
 */
@NullMarked
package io.distlock.core;

import org.jspecify.annotations.NullMarked;
