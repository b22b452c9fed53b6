package io.distlock.actuate;

import io.distlock.core.LockEventListener;
import io.distlock.core.LockLostException;
import io.distlock.core.LockRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Reports every acquisition as two observations, {@code distributed.lock.acquire} (the wait) and
 * {@code distributed.lock.held} (the hold), so that one instrumentation gives the timers, the long task
 * timer of locks held now ({@code distributed.lock.held.active}) and, with tracing, spans. See
 * {@link LockObservationDocumentation}.
 *
 * <p>The acquire observation starts on the calling thread before any wait, so its span is a child of the
 * caller's current span; the held observation gets the same parent. Neither is opened in scope: a lock may
 * be released on another thread than the one that took it (an asynchronous result), and a scope must be
 * closed on the thread that opened it. Spans of the locked method itself are therefore children of the
 * caller's span, siblings of the lock's.
 *
 * <p>A lost lease counts {@code distributed.lock.lost} (when a {@link MeterRegistry} is given) and ends the
 * held observation's span with a {@link LockLostException} as its error (its timer gets the tag
 * {@code error=LockLostException}). A backend failure during acquisition is the acquire observation's error.
 */
public class ObservationLockEventListener implements LockEventListener {

	private static final LockAcquireObservationConvention DEFAULT_ACQUIRE = new DefaultLockAcquireObservationConvention();

	private static final LockHeldObservationConvention DEFAULT_HELD = new DefaultLockHeldObservationConvention();

	private final ObservationRegistry registry;

	private final @Nullable MeterRegistry meterRegistry;

	private final @Nullable LockAcquireObservationConvention acquireConvention;

	private final @Nullable LockHeldObservationConvention heldConvention;

	/**
	 * Creates a listener.
	 * @param registry where the observations go
	 * @param meterRegistry where {@code distributed.lock.lost} is counted; {@code null} for none
	 * @param acquireConvention replaces the default acquire convention; {@code null} for the default
	 * @param heldConvention replaces the default held convention; {@code null} for the default
	 */
	public ObservationLockEventListener(ObservationRegistry registry, @Nullable MeterRegistry meterRegistry,
			@Nullable LockAcquireObservationConvention acquireConvention, @Nullable LockHeldObservationConvention heldConvention) {
		this.registry = registry;
		this.meterRegistry = meterRegistry;
		this.acquireConvention = acquireConvention;
		this.heldConvention = heldConvention;
	}

	@Override
	public Acquisition acquiring(LockRequest request, String backend) {
		if (this.registry.isNoop() && this.meterRegistry == null) {
			return Acquisition.NONE;
		}
		@Nullable Observation parent = this.registry.getCurrentObservation();
		LockAcquireContext context = new LockAcquireContext(request, backend);
		Observation acquire = LockObservationDocumentation.ACQUIRE
			.observation(this.acquireConvention, DEFAULT_ACQUIRE, () -> context, this.registry)
			.start();
		return new Acquisition() {

			@Override
			public Holding acquired(long fencingToken) {
				context.setOutcome(LockAcquireContext.ACQUIRED);
				acquire.stop();
				return holding(request, backend, fencingToken, parent);
			}

			@Override
			public void notAcquired(@Nullable Throwable error) {
				context.setOutcome((error != null) ? LockAcquireContext.ERROR : LockAcquireContext.TIMEOUT);
				if (error != null) {
					acquire.error(error);
				}
				acquire.stop();
			}
		};
	}

	private Holding holding(LockRequest request, String backend, long fencingToken, @Nullable Observation parent) {
		LockHeldContext context = new LockHeldContext(request, backend, fencingToken);
		// the parent explicitly: acquired() may run on another thread than acquiring() did
		Observation held = LockObservationDocumentation.HELD
			.observation(this.heldConvention, DEFAULT_HELD, () -> context, this.registry)
			.parentObservation(parent)
			.start();
		MeterRegistry meters = this.meterRegistry;
		return new Holding() {

			@Override
			public void lost(String reason) {
				held.error(new LockLostException(request.name(), request.key(), fencingToken, reason));
				if (meters != null) {
					LostLockCounter.increment(meters, request.name(), backend);
				}
			}

			@Override
			public void released() {
				held.stop();
			}
		};
	}
}
