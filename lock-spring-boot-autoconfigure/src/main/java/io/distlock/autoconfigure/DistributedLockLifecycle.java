package io.distlock.autoconfigure;

import java.time.Duration;

import io.distlock.core.LockTemplate;

import org.springframework.context.SmartLifecycle;

/**
 * Ends the application's locks when the context closes, as the contract's "Shutdown" section says:
 * work still running gets the shutdown phase's time ({@code spring.lifecycle.timeout-per-shutdown-phase},
 * less a small margin) to release its locks; what is still held then is reported lost and released.
 *
 * <p>Its phase stops it after the web server and the task schedulers (whose phases are higher, so they
 * stop first and let running work finish), and before the backend's clients (a Lettuce connection
 * factory stops in phase 0; data sources and a Curator client close after all phases), so the releases
 * can still reach the backend.
 */
class DistributedLockLifecycle implements SmartLifecycle {

	/** Below the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and its stop ({@code - 2048}). */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 8192;

	private final LockTemplate template;

	private final Duration grace;

	private volatile boolean running;

	DistributedLockLifecycle(LockTemplate template, Duration timeoutPerShutdownPhase) {
		this.template = template;
		Duration margin = timeoutPerShutdownPhase.dividedBy(10);
		this.grace = timeoutPerShutdownPhase.minus((margin.compareTo(Duration.ofSeconds(1)) > 0) ? Duration.ofSeconds(1) : margin);
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.template.shutdown(this.grace);
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}
}
