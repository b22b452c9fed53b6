package io.distlock.actuate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@code distributed.lock.lost} counter, tagged {@code name} and {@code backend}. A counter rather than
 * an observation event: an event would count under the observation's name ({@code distributed.lock.held.<event>}).
 */
final class LostLockCounter {

	static final String NAME = "distributed.lock.lost";

	private LostLockCounter() {
	}

	static void increment(MeterRegistry registry, String name, String backend) {
		Counter.builder(NAME).description("Holders that learned their lease was lost")
			.tag(LockObservationDocumentation.LowCardinalityKeys.NAME.asString(), name)
			.tag(LockObservationDocumentation.LowCardinalityKeys.BACKEND.asString(), backend)
			.register(registry)
			.increment();
	}
}
