package io.distlock.actuate;

import java.time.Duration;

import io.distlock.core.LockEventListener;
import io.distlock.core.LockRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Publishes lock events to Micrometer, tagged by lock name (never by key, which is unbounded):
 * <ul>
 * <li>{@code distributed.lock.acquire} timer: time spent acquiring, tagged {@code result} =
 * {@code acquired}, {@code timeout} or {@code error};</li>
 * <li>{@code distributed.lock.held} timer: how long locks were held;</li>
 * <li>{@code distributed.lock.lost} counter: holders that learned their lease was lost.</li>
 * </ul>
 */
public class MicrometerLockEventListener implements LockEventListener {

	private final MeterRegistry registry;

	/** Creates a listener publishing to {@code registry}. */
	public MicrometerLockEventListener(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void acquired(LockRequest request, long fencingToken, Duration waited) {
		acquireTimer(request.name(), "acquired").record(waited);
	}

	@Override
	public void notAcquired(LockRequest request, Duration waited, Throwable error) {
		acquireTimer(request.name(), (error != null) ? "error" : "timeout").record(waited);
	}

	@Override
	public void released(String name, String key, Duration held) {
		Timer.builder("distributed.lock.held").description("How long distributed locks were held")
			.tag("name", name).register(this.registry).record(held);
	}

	@Override
	public void lost(String name, String key, long fencingToken, String reason) {
		Counter.builder("distributed.lock.lost").description("Holders that learned their lease was lost")
			.tag("name", name).register(this.registry).increment();
	}

	private Timer acquireTimer(String name, String result) {
		return Timer.builder("distributed.lock.acquire").description("Time spent acquiring distributed locks")
			.tag("name", name).tag("result", result).register(this.registry);
	}
}
