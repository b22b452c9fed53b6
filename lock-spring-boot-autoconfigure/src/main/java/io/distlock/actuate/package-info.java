/**
 * Operator-facing integration: lock meters and observations (spans), the {@code distributedLock} health
 * contributor and the {@code locks} actuator endpoint. Optional: used only when Micrometer or Spring Boot's
 * actuator is on the class path.
 */
@NullMarked
package io.distlock.actuate;

import org.jspecify.annotations.NullMarked;
