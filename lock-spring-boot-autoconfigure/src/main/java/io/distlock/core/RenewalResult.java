package io.distlock.core;

import org.jspecify.annotations.Nullable;

/**
 * What a renewal learned about one lease: {@linkplain #RENEWED extended}, {@linkplain #REFUSED refused}
 * (the lock is gone or owned by someone else: the lease is lost), or {@linkplain #failed(Exception)
 * unknown} because the backend could not be reached (the core retries until the lease's deadline).
 */
public final class RenewalResult {

	/** The lease was extended. */
	public static final RenewalResult RENEWED = new RenewalResult(true, null);

	/** The backend says the lock is no longer owned by this lease. */
	public static final RenewalResult REFUSED = new RenewalResult(false, null);

	private final boolean renewed;

	private final @Nullable Exception error;

	private RenewalResult(boolean renewed, @Nullable Exception error) {
		this.renewed = renewed;
		this.error = error;
	}

	/** Returns the result of a renewal that could not be confirmed because of {@code error}. */
	public static RenewalResult failed(Exception error) {
		return new RenewalResult(false, java.util.Objects.requireNonNull(error, "error"));
	}

	/** Whether the lease was extended. */
	public boolean isRenewed() {
		return this.renewed;
	}

	/** Whether the backend refused: the lock is no longer this lease's. */
	public boolean isRefused() {
		return !this.renewed && this.error == null;
	}

	/** Returns why the renewal could not be confirmed, or {@code null} when it was renewed or refused. */
	public @Nullable Exception error() {
		return this.error;
	}

	@Override
	public String toString() {
		return this.renewed ? "RENEWED" : (this.error == null) ? "REFUSED" : "FAILED(" + this.error + ")";
	}
}
