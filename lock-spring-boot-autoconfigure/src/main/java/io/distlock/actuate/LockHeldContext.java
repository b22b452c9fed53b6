package io.distlock.actuate;

import io.distlock.core.LockRequest;

/** Context of the {@link LockObservationDocumentation#HELD held} observation. */
public class LockHeldContext extends LockObservationContext {

	private final long fencingToken;

	/** Creates the context of holding {@code request}'s lock, granted with {@code fencingToken}. */
	public LockHeldContext(LockRequest request, String backend, long fencingToken) {
		super(request, backend);
		this.fencingToken = fencingToken;
	}

	/** Returns the fencing token of this hold (not reported by the default convention). */
	public long getFencingToken() {
		return this.fencingToken;
	}
}
