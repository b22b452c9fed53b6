package io.distlock.interceptor;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.distlock.annotation.WhenLocked;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockContext;
import io.distlock.core.LockHandle;
import io.distlock.core.LockSpec;
import io.distlock.core.LockTemplate;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;

/**
 * One call of a {@code @DistributedLocked} method: what to lock (evaluated when the method is called, so
 * bad input fails the call at once), how to acquire it, how to run the method, and what to return
 * when the lock is not acquired. The {@link ResultLifecycle} of the method decides when each happens.
 */
final class LockCall {

	private static final Log logger = LogFactory.getLog(LockCall.class);

	final LockOperation operation;

	final LockTemplate template;

	final MethodInvocation invocation;

	final LockSpec spec;

	/** The keys of a multi-key method; {@code null} for a single key (its key is in the spec). */
	final @Nullable List<String> keys;

	LockCall(LockOperation operation, LockTemplate template, MethodInvocation invocation, LockSpec spec,
			@Nullable List<String> keys) {
		this.operation = operation;
		this.template = template;
		this.invocation = invocation;
		this.spec = spec;
		this.keys = keys;
	}

	/** Acquires the locks of {@code keys} on this thread (re-entrant), all or none, within the wait time. */
	LockHandle[] acquire(List<String> keys) {
		if (keys.size() == 1 && this.keys == null) {
			return new LockHandle[] { this.template.acquire(this.spec) };
		}
		return this.template.acquireAll(this.spec, keys).toArray(new LockHandle[0]);
	}

	/**
	 * Acquires every lock of the call without blocking this thread and without re-entering a lock this
	 * thread holds; a cancelled future releases whatever it acquired.
	 */
	CompletableFuture<List<LockHandle>> acquireAsync() {
		// acquireAllAsync for one key too: the future acquireAsync returns is a dependent stage, and
		// cancelling it would not reach the acquisition (it would neither end the wait nor release)
		return this.template.acquireAllAsync(this.spec, (this.keys != null) ? this.keys : List.of(this.spec.key()));
	}

	/**
	 * Returns something that runs the rest of the call (the method and any inner advice) once per
	 * {@link Body#proceed()} call, later and on any thread. Snapshots the invocation now: the proxy does
	 * not use it again once this call has returned.
	 */
	Body body() {
		if (this.invocation instanceof ProxyMethodInvocation proxied) {
			MethodInvocation pristine = proxied.invocableClone();
			return () -> ((ProxyMethodInvocation) pristine).invocableClone().proceed();
		}
		// not a Spring proxy: it can proceed once only; later subscriptions reuse that result
		MethodInvocation single = this.invocation;
		return new Body() {

			private @Nullable Object result;

			private boolean done;

			@Override
			public synchronized @Nullable Object proceed() throws Throwable {
				if (!this.done) {
					this.result = single.proceed();
					this.done = true;
				}
				return this.result;
			}
		};
	}

	/** Whether {@link #notAcquired} returns a result for {@code ex} rather than throwing it. */
	boolean recovers(LockAcquisitionException ex) {
		return this.operation.fallback() != null || (this.operation.whenLocked() == WhenLocked.SKIP && ex.isTimeout());
	}

	/**
	 * The call's result when the lock was not acquired: the fallback's result, or {@code empty} when the
	 * method skips a busy lock.
	 * @throws LockAcquisitionException when neither applies (a backend failure is never skipped)
	 */
	@Nullable Object notAcquired(LockAcquisitionException ex, @Nullable Object empty) throws Throwable {
		FallbackMethod fallback = this.operation.fallback();
		if (fallback != null) {
			if (logger.isDebugEnabled()) {
				logger.debug("Calling fallback " + fallback + " of " + this.operation.description() + ": " + ex.getMessage());
			}
			return fallback.invoke(this.invocation.getThis(), this.invocation.getArguments(), ex);
		}
		if (this.operation.whenLocked() == WhenLocked.SKIP && ex.isTimeout()) {
			if (logger.isDebugEnabled()) {
				logger.debug("Skipped " + this.operation.description() + " (whenLocked = SKIP): " + ex.getMessage());
			}
			return empty;
		}
		throw ex;
	}


	/**
	 * For the stretch in which an asynchronous call's method runs on this thread: binds its locks to the
	 * {@link LockContext}, and lets synchronous locked calls it makes re-enter them.
	 */
	LockContext.Scope enterBody(List<LockHandle> handles) {
		LockContext.Scope attached = this.template.attachToThread(handles);
		LockContext.Scope bound = bind(handles);
		return () -> {
			bound.close();
			attached.close();
		};
	}

	/** Binds {@code handles} as the current thread's locks (innermost last) until the returned scope closes. */
	static LockContext.Scope bind(List<LockHandle> handles) {
		if (handles.size() == 1) {
			return LockContext.bind(handles.get(0));
		}
		LockContext.Scope[] scopes = new LockContext.Scope[handles.size()];
		for (int i = 0; i < scopes.length; i++) {
			scopes[i] = LockContext.bind(handles.get(i));
		}
		return () -> {
			for (int i = scopes.length - 1; i >= 0; i--) {
				scopes[i].close();
			}
		};
	}

	/** Releases {@code handles}, innermost first; never throws (closing a handle never does). */
	static void release(List<LockHandle> handles) {
		for (int i = handles.size() - 1; i >= 0; i--) {
			handles.get(i).close();
		}
	}

	/** Runs the rest of a call, possibly more than once (once per subscription of a reactive result). */
	@FunctionalInterface
	interface Body {

		@Nullable Object proceed() throws Throwable;
	}
}
