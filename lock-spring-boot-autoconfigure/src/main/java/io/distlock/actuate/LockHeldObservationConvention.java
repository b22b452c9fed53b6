package io.distlock.actuate;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the {@link LockObservationDocumentation#HELD held} observation. Declare a bean of this
 * type to replace {@link DefaultLockHeldObservationConvention}.
 */
public interface LockHeldObservationConvention extends ObservationConvention<LockHeldContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof LockHeldContext;
	}
}
