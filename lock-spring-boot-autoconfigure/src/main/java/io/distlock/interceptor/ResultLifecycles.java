package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

/**
 * Chooses the {@link ResultLifecycle} of a method from its declared return type, once, at startup, as
 * Spring's {@code CacheAspectSupport} does: {@code CompletionStage} first, then whatever the shared
 * {@link ReactiveAdapterRegistry} adapts (Reactor, RxJava, Kotlin {@code Flow}, ...), then Kotlin
 * {@code suspend} functions (which Spring's proxies run as a {@code Mono}, or a {@code Flux} for a
 * {@code Flow}), else synchronous. A result type whose end cannot be observed fails startup.
 */
final class ResultLifecycles {

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			ResultLifecycles.class.getClassLoader());

	private static final boolean COROUTINES_REACTOR_PRESENT = ClassUtils.isPresent("kotlinx.coroutines.reactor.MonoKt",
			ResultLifecycles.class.getClassLoader());

	private static final String FLOW = "kotlinx.coroutines.flow.Flow";

	private ResultLifecycles() {
	}

	/**
	 * Returns the lifecycle for {@code method}'s results.
	 * @throws IllegalStateException naming the method when its result type cannot be locked for its lifetime
	 */
	static ResultLifecycle forMethod(Method method, String where) {
		Class<?> type = method.getReturnType();
		if (type == CompletionStage.class || type == CompletableFuture.class) {
			return new CompletionStageLifecycle();
		}
		if (CompletionStage.class.isAssignableFrom(type)) {
			throw new IllegalStateException(where + " returns " + type.getName() + ": the lock is acquired without blocking"
					+ " the caller, so the call must return a future it creates itself; declare CompletionStage or CompletableFuture");
		}
		if (KotlinDetector.isSuspendingFunction(method)) {
			if (!COROUTINES_REACTOR_PRESENT) {
				throw new IllegalStateException(where + " is a Kotlin suspend function: locking it for the coroutine's"
						+ " lifetime needs org.jetbrains.kotlinx:kotlinx-coroutines-reactor on the class path");
			}
			boolean flow = FLOW.equals(new MethodParameter(method, -1).getParameterType().getName());
			return reactive(flow ? "reactor.core.publisher.Flux" : "reactor.core.publisher.Mono", where);
		}
		ReactiveAdapter adapter = ReactiveAdapterRegistry.getSharedInstance().getAdapter(type);
		if (adapter != null) {
			if (!REACTOR_PRESENT) {
				throw new IllegalStateException(where + " returns " + type.getName() + ", a reactive type: locking it per"
						+ " subscription needs Reactor (io.projectreactor:reactor-core) on the class path");
			}
			return new ReactiveLifecycle(adapter, false);
		}
		if (Future.class.isAssignableFrom(type)) {
			throw new IllegalStateException(where + " returns " + type.getName() + ", whose completion cannot be observed"
					+ " without blocking: the lock would be released while the work goes on. Return CompletableFuture or"
					+ " CompletionStage");
		}
		return new SynchronousLifecycle(type);
	}

	private static ResultLifecycle reactive(String typeName, String where) {
		ReactiveAdapter adapter = ReactiveAdapterRegistry.getSharedInstance()
			.getAdapter(ClassUtils.resolveClassName(typeName, ResultLifecycles.class.getClassLoader()));
		if (adapter == null) {
			throw new IllegalStateException(where + " is a Kotlin suspend function, but no reactive adapter for " + typeName
					+ " is registered");
		}
		return new ReactiveLifecycle(adapter, true);
	}
}
