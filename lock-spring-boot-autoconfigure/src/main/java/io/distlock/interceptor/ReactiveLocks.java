package io.distlock.interceptor;

import org.springframework.util.ClassUtils;

/**
 * Releases a lock when a Reactor {@code Mono} or {@code Flux} result terminates or is cancelled. Only
 * touches Reactor classes when Reactor is on the class path.
 *
 * <p>The lock is taken when the method is called (the method body runs under it) and released when
 * the returned publisher completes, errors or is cancelled. Subscribe to the result: a result that is
 * never subscribed keeps its lock (renewed) until the application stops.
 */
final class ReactiveLocks {

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			ReactiveLocks.class.getClassLoader());

	private ReactiveLocks() {
	}

	static boolean isReactive(Object result) {
		return REACTOR_PRESENT && ReactorSupport.isReactive(result);
	}

	static Object releaseWhenDone(Object result, Runnable release) {
		return ReactorSupport.releaseWhenDone(result, release);
	}

	/** Loaded only when Reactor is present. */
	private static final class ReactorSupport {

		static boolean isReactive(Object result) {
			return result instanceof reactor.core.publisher.Mono<?> || result instanceof reactor.core.publisher.Flux<?>;
		}

		static Object releaseWhenDone(Object result, Runnable release) {
			if (result instanceof reactor.core.publisher.Mono<?> mono) {
				return mono.doFinally((signal) -> release.run());
			}
			return ((reactor.core.publisher.Flux<?>) result).doFinally((signal) -> release.run());
		}
	}
}
