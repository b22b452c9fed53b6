package io.distlock.actuate;

import io.distlock.actuate.LockObservationDocumentation.HighCardinalityKeys;
import io.distlock.actuate.LockObservationDocumentation.LowCardinalityKeys;
import io.distlock.core.LockRequest;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;

/**
 * What a lock observation is about: the requested lock and the backend asked for it. Subclassed once
 * per observation, so that a convention registered for one of them does not apply to the other.
 */
public abstract class LockObservationContext extends Observation.Context {

	private final LockRequest request;

	private final String backend;

	LockObservationContext(LockRequest request, String backend) {
		this.request = request;
		this.backend = backend;
	}

	/** Returns the requested lock: its name, key, wait and lease. */
	public LockRequest getRequest() {
		return this.request;
	}

	/** Returns the backend's name ({@code redis}, {@code zookeeper}, {@code jdbc}, {@code in-memory}). */
	public String getBackend() {
		return this.backend;
	}

	/** Returns the tags every lock observation has: {@code name} and {@code backend}. */
	KeyValues lockTags() {
		return KeyValues.of(LowCardinalityKeys.NAME.withValue(this.request.name()), LowCardinalityKeys.BACKEND.withValue(this.backend));
	}

	/** Returns the span-only values every lock observation has: {@code distributed.lock.key}. */
	KeyValues lockSpanValues() {
		return KeyValues.of(HighCardinalityKeys.KEY.withValue(this.request.key()));
	}
}
