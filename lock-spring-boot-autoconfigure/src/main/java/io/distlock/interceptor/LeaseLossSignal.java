package io.distlock.interceptor;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.distlock.core.LockHandle;
import io.distlock.core.LockLostException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Turns a lost lease into the end of a reactive result: {@link #signal()} emits once any of the
 * subscription's locks is lost (used with {@code takeUntilOther}, which cancels the work upstream),
 * and {@link #failure()} then ends the result with {@link LockLostException}. An error from the signal
 * itself would not do: {@code takeUntilOther} passes an error on without cancelling upstream.
 */
final class LeaseLossSignal {

	private static final Object LOST = new Object();

	/** {@code null} while watching; the exception once lost; {@link #DONE} once the result ended first. */
	private final AtomicReference<@Nullable Object> state = new AtomicReference<>();

	private static final Object DONE = new Object();

	private final List<LockHandle> handles;

	LeaseLossSignal(List<LockHandle> handles) {
		this.handles = handles;
	}

	/** Emits once when a lease is lost; never completes otherwise. */
	Mono<Object> signal() {
		return Mono.create((sink) -> {
			sink.onCancel(() -> this.state.compareAndSet(null, DONE));
			for (LockHandle handle : this.handles) {
				handle.onLost(() -> {
					LockLostException lost = new LockLostException(handle.name(), handle.key(), handle.fencingToken(),
							"the lease ended while the reactive result was still running (the WARN logged with it says why);"
									+ " the work was cancelled");
					if (this.state.compareAndSet(null, lost)) {
						sink.success(LOST);
					}
				});
			}
		});
	}

	/** Ends with {@link LockLostException} if the lease was lost, else completes empty. */
	<T> Mono<T> failure() {
		return Mono.defer(() -> (this.state.get() instanceof LockLostException lost) ? Mono.error(lost) : Mono.empty());
	}
}
