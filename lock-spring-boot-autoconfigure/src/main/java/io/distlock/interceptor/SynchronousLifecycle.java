package io.distlock.interceptor;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockContext;
import io.distlock.core.LockHandle;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * A plain result: the lock is acquired on the calling thread (re-entrant per thread), held while the
 * method runs, and released when it returns or throws. The fast path: one map lookup, one acquisition,
 * no reflection.
 */
final class SynchronousLifecycle extends ResultLifecycle {

	private final Class<?> returnType;

	private final @Nullable Object empty;

	SynchronousLifecycle(Class<?> returnType) {
		this.returnType = returnType;
		this.empty = (returnType == Optional.class) ? Optional.empty() : null;
	}

	@Override
	@Nullable Object invoke(LockCall call) throws Throwable {
		List<String> keys = call.keys;
		if (keys != null) {
			return invokeMultiKey(call, keys);
		}
		LockHandle handle;
		try {
			// re-enters a lock this thread holds: its own, or an asynchronous call's whose method runs here
			handle = call.template.acquire(call.spec);
		}
		catch (LockAcquisitionException ex) {
			return call.notAcquired(ex, this.empty);
		}
		try (LockContext.Scope scope = LockContext.bind(handle)) {
			return call.invocation.proceed();
		}
		finally {
			handle.close();
		}
	}

	private @Nullable Object invokeMultiKey(LockCall call, List<String> keys) throws Throwable {
		List<LockHandle> acquired;
		try {
			acquired = Arrays.asList(call.acquire(keys));
		}
		catch (LockAcquisitionException ex) {
			return call.notAcquired(ex, this.empty);
		}
		try (LockContext.Scope scope = LockCall.bind(acquired)) {
			return call.invocation.proceed();
		}
		finally {
			LockCall.release(acquired);
		}
	}

	@Override
	@Nullable String whySkipIsImpossible() {
		if (this.returnType.isPrimitive() && this.returnType != void.class) {
			return "it returns the primitive " + this.returnType.getName() + ", which has no empty value;"
					+ " return " + ClassUtils.resolvePrimitiveIfNecessary(this.returnType).getSimpleName()
					+ " (null when skipped) or use whenLocked = FAIL";
		}
		return null;
	}

	@Override
	boolean skipReturnsNull() {
		return this.empty == null && this.returnType != void.class;
	}

	@Override
	String describe() {
		return "synchronous";
	}
}
