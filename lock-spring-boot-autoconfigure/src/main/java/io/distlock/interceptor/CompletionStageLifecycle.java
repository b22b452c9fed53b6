package io.distlock.interceptor;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockContext;
import io.distlock.core.LockHandle;
import org.jspecify.annotations.Nullable;

/**
 * A {@code CompletionStage}/{@code CompletableFuture} result. The call returns at once with a future;
 * the lock is acquired without blocking the caller (and without re-entering a lock the calling thread
 * holds), the method then runs under it on the thread that completed the acquisition, and the lock is
 * held until the method's stage completes, released just before the returned future completes.
 * Cancelling the returned future ends the wait, or releases the lock and cancels the method's future.
 */
final class CompletionStageLifecycle extends ResultLifecycle {

	@Override
	Object invoke(LockCall call) {
		return new Run(call).start();
	}

	@Override
	@Nullable String whySkipIsImpossible() {
		return null;
	}

	@Override
	boolean skipReturnsNull() {
		return false;
	}

	@Override
	String describe() {
		return "CompletionStage";
	}

	/** The state of one call. */
	private static final class Run {

		private final LockCall call;

		private final LockCall.Body body;

		private final CompletableFuture<Object> result = new CompletableFuture<>();

		private volatile @Nullable List<LockHandle> handles;

		private volatile @Nullable CompletionStage<?> running;

		Run(LockCall call) {
			this.call = call;
			this.body = call.body();
		}

		CompletableFuture<Object> start() {
			CompletableFuture<List<LockHandle>> acquiring = this.call.acquireAsync();
			this.result.whenComplete((value, error) -> {
				if (this.result.isCancelled()) {
					acquiring.cancel(true);
					cancelled();
				}
			});
			acquiring.whenComplete((granted, error) -> {
				if (error != null) {
					notAcquired(unwrap(error));
				}
				else {
					acquired(granted);
				}
			});
			return this.result;
		}

		private void acquired(List<LockHandle> acquired) {
			this.handles = acquired;
			if (this.result.isDone()) {
				// cancelled while the lock was granted
				LockCall.release(acquired);
				return;
			}
			Object stage;
			try (LockContext.Scope scope = this.call.enterBody(acquired)) {
				stage = this.body.proceed();
			}
			catch (Throwable ex) {
				LockCall.release(acquired);
				this.result.completeExceptionally(ex);
				return;
			}
			if (stage == null) {
				LockCall.release(acquired);
				this.result.complete(null);
				return;
			}
			CompletionStage<?> running = (CompletionStage<?>) stage;
			this.running = running;
			running.whenComplete((value, failure) -> {
				LockCall.release(acquired);
				complete(value, failure);
			});
			if (this.result.isCancelled()) {
				cancelled();
			}
		}

		private void notAcquired(Throwable error) {
			if (!(error instanceof LockAcquisitionException ex) || !this.call.recovers(ex)) {
				this.result.completeExceptionally(error);
				return;
			}
			try {
				Object recovered = this.call.notAcquired(ex, null);
				if (recovered == null) {
					this.result.complete(null);
				}
				else {
					((CompletionStage<?>) recovered).whenComplete(this::complete);
				}
			}
			catch (Throwable failure) {
				this.result.completeExceptionally(failure);
			}
		}

		private void complete(@Nullable Object value, @Nullable Throwable failure) {
			if (failure != null) {
				this.result.completeExceptionally(unwrap(failure));
			}
			else {
				this.result.complete(value);
			}
		}

		/** The caller cancelled the returned future: release now, and cancel the method's work. */
		private void cancelled() {
			List<LockHandle> held = this.handles;
			if (held != null) {
				LockCall.release(held);
			}
			CompletionStage<?> stage = this.running;
			if (stage instanceof CompletableFuture<?> future) {
				future.cancel(true);
			}
		}

		private static Throwable unwrap(Throwable error) {
			return (error instanceof CompletionException && error.getCause() != null) ? error.getCause() : error;
		}
	}
}
