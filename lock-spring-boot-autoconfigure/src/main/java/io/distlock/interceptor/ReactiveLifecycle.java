package io.distlock.interceptor;

import java.util.List;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockContext;
import io.distlock.core.LockHandle;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.ReactiveAdapter;

/**
 * A result that Spring's {@link ReactiveAdapter} turns into a Reactive Streams publisher ({@code Mono},
 * {@code Flux}, RxJava types, Kotlin {@code Flow}, and the publisher Spring's proxies make of a Kotlin
 * {@code suspend} function). Locked per subscription, with {@code usingWhen} semantics:
 * <ul>
 * <li>calling the method only evaluates the key: nothing is acquired, the method does not run yet;</li>
 * <li>each subscription acquires the lock without blocking (neither the calling nor the subscribing
 * thread), then runs the method under it (so {@link LockContext} works while it assembles its result)
 * and subscribes to what it returned, with the innermost {@link LockHandle} in the Reactor
 * {@code Context} under the key {@code LockHandle.class};</li>
 * <li>the lock is released before the subscriber sees completion or error (a {@code Mono}'s value too),
 * and on cancellation; a resubscription ({@code retry()}, {@code repeat()}) acquires anew;</li>
 * <li>when the lease is lost, the method's publisher is cancelled and the result ends with
 * {@link io.distlock.core.LockLostException}.</li>
 * </ul>
 * Only loaded when Reactor is on the class path.
 */
final class ReactiveLifecycle extends ResultLifecycle {

	private final ReactiveAdapter adapter;

	/** Whether the result is a Kotlin suspend function's value, which an empty result turns into null. */
	private final boolean suspending;

	ReactiveLifecycle(ReactiveAdapter adapter, boolean suspending) {
		this.adapter = adapter;
		this.suspending = suspending;
	}

	@Override
	Object invoke(LockCall call) {
		LockCall.Body body = call.body();
		Mono<Acquired> acquire = Mono.fromFuture(call::acquireAsync, false)
			.map(Acquired::new)
			.onErrorResume(LockAcquisitionException.class,
					(ex) -> call.recovers(ex) ? Mono.just(new Acquired(ex)) : Mono.error(ex));
		Publisher<Object> result;
		if (this.adapter.isMultiValue()) {
			result = Flux.usingWhen(acquire, (acquired) -> run(call, body, acquired), Acquired::release,
					(acquired, error) -> acquired.release(), Acquired::release);
		}
		else {
			result = Mono.usingWhen(acquire, (acquired) -> Mono.from(run(call, body, acquired)), Acquired::release,
					(acquired, error) -> acquired.release(), Acquired::release);
		}
		return this.adapter.fromPublisher(result);
	}

	private Publisher<Object> run(LockCall call, LockCall.Body body, Acquired acquired) {
		LockAcquisitionException failure = acquired.failure;
		if (failure != null) {
			return Flux.defer(() -> {
				try {
					return publisher(call.notAcquired(failure, null));
				}
				catch (Throwable ex) {
					return Flux.error(ex);
				}
			});
		}
		Object returned;
		try (LockContext.Scope scope = call.enterBody(acquired.handles)) {
			returned = body.proceed();
		}
		catch (Throwable ex) {
			return Mono.error(ex);
		}
		LeaseLossSignal loss = new LeaseLossSignal(acquired.handles);
		LockHandle innermost = acquired.handles.get(acquired.handles.size() - 1);
		if (this.adapter.isMultiValue()) {
			return Flux.from(publisher(returned)).takeUntilOther(loss.signal()).concatWith(loss.failure())
				.contextWrite((context) -> context.put(LockHandle.class, innermost));
		}
		return Mono.from(publisher(returned)).takeUntilOther(loss.signal()).switchIfEmpty(loss.failure())
			.contextWrite((context) -> context.put(LockHandle.class, innermost));
	}

	@SuppressWarnings("unchecked")
	private Publisher<Object> publisher(@Nullable Object returned) {
		return (returned != null) ? (Publisher<Object>) this.adapter.toPublisher(returned) : Mono.empty();
	}

	@Override
	@Nullable String whySkipIsImpossible() {
		if (!this.adapter.supportsEmpty()) {
			return "its result type " + this.adapter.getReactiveType().getName() + " cannot be empty;"
					+ " return a type that can (a Mono, Flux, Maybe, ...) or use whenLocked = FAIL";
		}
		return null;
	}

	@Override
	boolean skipReturnsNull() {
		return this.suspending && !this.adapter.isMultiValue();
	}

	@Override
	String describe() {
		return "reactive " + this.adapter.getReactiveType().getSimpleName();
	}

	/** The locks of one subscription, or why they were not acquired. */
	private static final class Acquired {

		final List<LockHandle> handles;

		final @Nullable LockAcquisitionException failure;

		Acquired(List<LockHandle> handles) {
			this.handles = handles;
			this.failure = null;
		}

		Acquired(LockAcquisitionException failure) {
			this.handles = List.of();
			this.failure = failure;
		}

		Publisher<Void> release() {
			if (this.handles.isEmpty()) {
				return Mono.empty();
			}
			Mono<Void> release = Mono.fromRunnable(() -> LockCall.release(this.handles));
			// a release may talk to the backend: never on an event loop
			return Mono.defer(() -> Schedulers.isInNonBlockingThread() ? release.subscribeOn(Schedulers.boundedElastic()) : release);
		}
	}
}
