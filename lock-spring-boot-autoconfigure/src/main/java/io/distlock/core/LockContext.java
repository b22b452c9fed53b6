package io.distlock.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Gives locked code access to the lock it runs under, for example to pass the fencing token to the
 * storage it writes to:
 *
 * <pre class="code">
 * long token = LockContext.current().orElseThrow().fencingToken();
 * </pre>
 *
 * <p>The context is bound to the thread that runs the locked call, from the moment the lock is held
 * until the call returns (for an async method: until it returns its future; capture the handle there
 * if the work continues on other threads).
 */
public final class LockContext {

	private static final ThreadLocal<Deque<LockHandle>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

	private LockContext() {
	}

	/** Returns the innermost lock held by the current call, if any. */
	public static Optional<LockHandle> current() {
		return Optional.ofNullable(STACK.get().peek());
	}

	/**
	 * Binds {@code handle} as the innermost lock of the current thread until the returned scope is
	 * closed. For frameworks and {@link LockTemplate}; application code reads the context only.
	 */
	public static Scope bind(LockHandle handle) {
		Deque<LockHandle> stack = STACK.get();
		stack.push(handle);
		return () -> {
			stack.remove(handle);
			if (stack.isEmpty()) {
				STACK.remove();
			}
		};
	}

	/** Ends a binding made by {@link #bind(LockHandle)}. */
	@FunctionalInterface
	public interface Scope extends AutoCloseable {

		@Override
		void close();
	}
}
