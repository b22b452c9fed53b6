package io.distlock.core;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** Combines several {@link LockEventListener}s into one, each isolated from the others. */
public final class LockEventListeners {

	private LockEventListeners() {
	}

	/**
	 * Returns a listener that forwards every event to each of {@code listeners}, in order. One that
	 * throws is logged and does not keep the others from being called.
	 */
	public static LockEventListener of(List<? extends LockEventListener> listeners) {
		List<LockEventListener> isolated = listeners.stream().map(IsolatedLockEventListener::of)
			.filter((l) -> l != LockEventListener.NONE).toList();
		if (isolated.isEmpty()) {
			return LockEventListener.NONE;
		}
		return (isolated.size() == 1) ? isolated.get(0) : new Composite(isolated.toArray(new LockEventListener[0]));
	}

	private record Composite(LockEventListener[] listeners) implements LockEventListener {

		@Override
		public Acquisition acquiring(LockRequest request, String backend) {
			Acquisition[] acquisitions = new Acquisition[this.listeners.length];
			for (int i = 0; i < acquisitions.length; i++) {
				acquisitions[i] = this.listeners[i].acquiring(request, backend);
			}
			return new Acquisition() {

				@Override
				public Holding acquired(long fencingToken) {
					Holding[] holdings = new Holding[acquisitions.length];
					for (int i = 0; i < holdings.length; i++) {
						holdings[i] = acquisitions[i].acquired(fencingToken);
					}
					return new Holding() {

						@Override
						public void lost(String reason) {
							for (Holding holding : holdings) {
								holding.lost(reason);
							}
						}

						@Override
						public void released() {
							for (Holding holding : holdings) {
								holding.released();
							}
						}
					};
				}

				@Override
				public void notAcquired(@Nullable Throwable error) {
					for (Acquisition acquisition : acquisitions) {
						acquisition.notAcquired(error);
					}
				}
			};
		}
	}
}
