package io.distlock.actuate;

import io.micrometer.common.KeyValues;

/**
 * The default convention of the held observation: named {@code distributed.lock.held} (so its long task
 * timer is {@code distributed.lock.held.active}), tagged {@code name} and {@code backend}; the key only as
 * the span value {@code distributed.lock.key}.
 */
public class DefaultLockHeldObservationConvention implements LockHeldObservationConvention {

	/** The observation's (and the timer's) name. */
	public static final String NAME = "distributed.lock.held";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(LockHeldContext context) {
		return context.lockTags();
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(LockHeldContext context) {
		return context.lockSpanValues();
	}
}
