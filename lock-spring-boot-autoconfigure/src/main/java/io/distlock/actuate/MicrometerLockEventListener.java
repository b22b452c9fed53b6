package io.distlock.actuate;

import io.distlock.core.LockEventListener;
import io.distlock.core.LockRequest;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * Records lock meters directly in a {@link MeterRegistry}, for applications that have one but no
 * {@code ObservationRegistry} (with one, {@link ObservationLockEventListener} records the same meters and
 * spans too). Tagged by lock name and backend, never by key, whose values are unbounded:
 * <ul>
 * <li>{@code distributed.lock.acquire} timer: time spent acquiring, tagged {@code outcome} =
 * {@code acquired}, {@code timeout} or {@code error};</li>
 * <li>{@code distributed.lock.held} timer: how long locks were held;</li>
 * <li>{@code distributed.lock.held.active} long task timer: the locks this instance holds now;</li>
 * <li>{@code distributed.lock.lost} counter: holders that learned their lease was lost.</li>
 * </ul>
 */
public class MicrometerLockEventListener implements LockEventListener {

	private static final String NAME_TAG = LockObservationDocumentation.LowCardinalityKeys.NAME.asString();

	private static final String BACKEND_TAG = LockObservationDocumentation.LowCardinalityKeys.BACKEND.asString();

	private static final String OUTCOME_TAG = LockObservationDocumentation.LowCardinalityKeys.OUTCOME.asString();

	private final MeterRegistry registry;

	/** Creates a listener publishing to {@code registry}. */
	public MicrometerLockEventListener(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public Acquisition acquiring(LockRequest request, String backend) {
		Timer.Sample waiting = Timer.start(this.registry);
		return new Acquisition() {

			@Override
			public Holding acquired(long fencingToken) {
				waiting.stop(acquireTimer(request.name(), backend, LockAcquireContext.ACQUIRED));
				return holding(request.name(), backend);
			}

			@Override
			public void notAcquired(@Nullable Throwable error) {
				waiting.stop(acquireTimer(request.name(), backend,
						(error != null) ? LockAcquireContext.ERROR : LockAcquireContext.TIMEOUT));
			}
		};
	}

	private Holding holding(String name, String backend) {
		MeterRegistry registry = this.registry;
		Timer.Sample held = Timer.start(registry);
		LongTaskTimer.Sample active = LongTaskTimer.builder(DefaultLockHeldObservationConvention.NAME + ".active")
			.description("Distributed locks this instance holds now").tag(NAME_TAG, name).tag(BACKEND_TAG, backend)
			.register(registry)
			.start();
		return new Holding() {

			@Override
			public void lost(String reason) {
				LostLockCounter.increment(registry, name, backend);
			}

			@Override
			public void released() {
				active.stop();
				held.stop(Timer.builder(DefaultLockHeldObservationConvention.NAME).description("How long distributed locks were held")
					.tag(NAME_TAG, name).tag(BACKEND_TAG, backend).register(registry));
			}
		};
	}

	private Timer acquireTimer(String name, String backend, String outcome) {
		return Timer.builder(DefaultLockAcquireObservationConvention.NAME).description("Time spent acquiring distributed locks")
			.tag(NAME_TAG, name).tag(BACKEND_TAG, backend).tag(OUTCOME_TAG, outcome).register(this.registry);
	}
}
