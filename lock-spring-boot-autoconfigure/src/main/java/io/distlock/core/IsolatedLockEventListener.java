package io.distlock.core;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Wraps the application's {@link LockEventListener} so that no call to it can change an outcome: an
 * exception (or a {@code null} observer) is logged and replaced by "nothing to observe".
 */
final class IsolatedLockEventListener implements LockEventListener {

	private static final Log logger = LogFactory.getLog(LockEventListener.class);

	private final LockEventListener delegate;

	private IsolatedLockEventListener(LockEventListener delegate) {
		this.delegate = delegate;
	}

	static LockEventListener of(@Nullable LockEventListener listener) {
		if (listener == null || listener == NONE) {
			return NONE;
		}
		return (listener instanceof IsolatedLockEventListener) ? listener : new IsolatedLockEventListener(listener);
	}

	@Override
	public Acquisition acquiring(LockRequest request, String backend) {
		try {
			Acquisition acquisition = this.delegate.acquiring(request, backend);
			return (acquisition != null) ? new IsolatedAcquisition(acquisition) : Acquisition.NONE;
		}
		catch (Throwable ex) {
			failed("acquiring", ex);
			return Acquisition.NONE;
		}
	}

	private static void failed(String call, Throwable ex) {
		logger.warn("Lock event listener failed in " + call + "; ignored: " + ex, ex);
	}

	private record IsolatedAcquisition(Acquisition delegate) implements Acquisition {

		@Override
		public Holding acquired(long fencingToken) {
			try {
				Holding holding = this.delegate.acquired(fencingToken);
				return (holding != null) ? new IsolatedHolding(holding) : Holding.NONE;
			}
			catch (Throwable ex) {
				failed("acquired", ex);
				return Holding.NONE;
			}
		}

		@Override
		public void notAcquired(@Nullable Throwable error) {
			try {
				this.delegate.notAcquired(error);
			}
			catch (Throwable ex) {
				failed("notAcquired", ex);
			}
		}
	}

	private record IsolatedHolding(Holding delegate) implements Holding {

		@Override
		public void lost(String reason) {
			try {
				this.delegate.lost(reason);
			}
			catch (Throwable ex) {
				failed("lost", ex);
			}
		}

		@Override
		public void released() {
			try {
				this.delegate.released();
			}
			catch (Throwable ex) {
				failed("released", ex);
			}
		}
	}
}
