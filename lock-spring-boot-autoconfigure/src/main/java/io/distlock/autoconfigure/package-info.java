/**
 * Spring Boot auto-configuration: chooses and creates the backend ({@code distributed-lock.backend}, or
 * detected from the application's clients), the {@link io.distlock.core.LockTemplate} and the
 * {@code @DistributedLocked} interceptor, binds the {@code distributed-lock.*} properties, and adds the
 * metrics, health contributor and {@code locks} endpoint when Micrometer or the actuator is present.
 */
@NullMarked
package io.distlock.autoconfigure;

import org.jspecify.annotations.NullMarked;
