package io.distlock.actuate;

import io.distlock.core.LockRequest;
import org.jspecify.annotations.Nullable;

/** Context of the {@link LockObservationDocumentation#ACQUIRE acquire} observation. */
public class LockAcquireContext extends LockObservationContext {

	/** Outcome once the lock was granted. */
	public static final String ACQUIRED = "acquired";

	/** Outcome once the lock stayed taken for the whole wait. */
	public static final String TIMEOUT = "timeout";

	/** Outcome once the backend failed (or the waiting thread was interrupted). */
	public static final String ERROR = "error";

	private volatile @Nullable String outcome;

	/** Creates the context of acquiring {@code request} from {@code backend}. */
	public LockAcquireContext(LockRequest request, String backend) {
		super(request, backend);
	}

	/** Returns {@link #ACQUIRED}, {@link #TIMEOUT} or {@link #ERROR}; {@code null} while the acquisition runs. */
	public @Nullable String getOutcome() {
		return this.outcome;
	}

	void setOutcome(String outcome) {
		this.outcome = outcome;
	}
}
