package io.distlock.actuate;

import io.distlock.actuate.LockObservationDocumentation.LowCardinalityKeys;
import io.micrometer.common.KeyValues;

/**
 * The default convention of the acquire observation: named {@code distributed.lock.acquire}, tagged
 * {@code name}, {@code backend} and, once known, {@code outcome}; the key only as the span value
 * {@code distributed.lock.key}.
 */
public class DefaultLockAcquireObservationConvention implements LockAcquireObservationConvention {

	/** The observation's (and the timer's) name. */
	public static final String NAME = "distributed.lock.acquire";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(LockAcquireContext context) {
		KeyValues values = context.lockTags();
		// unknown while waiting: the long task timer of waits in progress has no outcome tag
		String outcome = context.getOutcome();
		return (outcome != null) ? values.and(LowCardinalityKeys.OUTCOME.withValue(outcome)) : values;
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(LockAcquireContext context) {
		return context.lockSpanValues();
	}
}
