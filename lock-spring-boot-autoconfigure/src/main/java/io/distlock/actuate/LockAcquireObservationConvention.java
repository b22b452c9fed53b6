package io.distlock.actuate;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the {@link LockObservationDocumentation#ACQUIRE acquire} observation. Declare a bean of
 * this type to replace {@link DefaultLockAcquireObservationConvention}, for example to add a tag.
 */
public interface LockAcquireObservationConvention extends ObservationConvention<LockAcquireContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof LockAcquireContext;
	}
}
