/**
 * The annotation API: {@link io.distlock.annotation.DistributedLocked @DistributedLocked} runs a method
 * under a distributed lock, and {@link io.distlock.annotation.WhenLocked} says what a call does when its
 * lock stays taken. Read at startup by the interceptor ({@code io.distlock.interceptor}).
 */
@NullMarked
package io.distlock.annotation;

import org.jspecify.annotations.NullMarked;
