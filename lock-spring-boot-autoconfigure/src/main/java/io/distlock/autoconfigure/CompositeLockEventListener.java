package io.distlock.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.distlock.core.LockEventListener;
import io.distlock.core.LockRequest;

/** Forwards lock events to every {@link LockEventListener} bean of the application. */
final class CompositeLockEventListener implements LockEventListener {

	private final LockEventListener[] listeners;

	private CompositeLockEventListener(List<LockEventListener> listeners) {
		this.listeners = listeners.toArray(new LockEventListener[0]);
	}

	static LockEventListener of(List<LockEventListener> listeners) {
		if (listeners.isEmpty()) {
			return LockEventListener.NONE;
		}
		return (listeners.size() == 1) ? listeners.get(0) : new CompositeLockEventListener(listeners);
	}

	@Override
	public void acquired(LockRequest request, long fencingToken, Duration waited) {
		for (LockEventListener listener : this.listeners) {
			listener.acquired(request, fencingToken, waited);
		}
	}

	@Override
	public void notAcquired(LockRequest request, Duration waited, Throwable error) {
		for (LockEventListener listener : this.listeners) {
			listener.notAcquired(request, waited, error);
		}
	}

	@Override
	public void released(String name, String key, Duration held) {
		for (LockEventListener listener : this.listeners) {
			listener.released(name, key, held);
		}
	}

	@Override
	public void lost(String name, String key, long fencingToken, String reason) {
		for (LockEventListener listener : this.listeners) {
			listener.lost(name, key, fencingToken, reason);
		}
	}
}
