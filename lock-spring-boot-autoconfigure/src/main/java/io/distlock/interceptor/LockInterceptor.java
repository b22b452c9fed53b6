package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.distlock.core.LockContext;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.expression.EvaluationContext;

/**
 * The advice behind {@code @DistributedLocked}: evaluates the key, acquires through the
 * {@link LockTemplate}, runs the method, and releases when it returns or throws, or, for a method
 * returning a {@link CompletionStage}, when that stage completes.
 *
 * <p>The template is looked up on the first locked call, not when the advisor is created, so that the
 * backend's beans are not created early by the proxy machinery.
 */
public class LockInterceptor implements MethodInterceptor {

	private final LockOperationSource source;

	private final Supplier<LockTemplate> templateSupplier;

	private volatile LockTemplate template;

	/**
	 * Creates the interceptor.
	 * @param source reads the annotations
	 * @param templateSupplier supplies the template on first use
	 */
	public LockInterceptor(LockOperationSource source, Supplier<LockTemplate> templateSupplier) {
		this.source = source;
		this.templateSupplier = templateSupplier;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		Method method = invocation.getMethod();
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopProxyUtils.ultimateTargetClass(target) : method.getDeclaringClass();
		LockOperation operation = this.source.getOperation(method, targetClass);
		if (operation == null) {
			return invocation.proceed();
		}
		LockTemplate lockTemplate = template();
		EvaluationContext context = operation.needsContext()
				? this.source.evaluator().createContext(operation.method(), invocation.getArguments(), target, targetClass) : null;
		Duration wait = operation.waitTime(context, lockTemplate.getDefaultWaitTime());
		Duration lease = operation.leaseTime(context, lockTemplate.getDefaultLeaseTime());
		if (operation.isMultiKey()) {
			List<String> keys = operation.keys(context);
			List<LockHandle> handles = lockTemplate.acquireAll(operation.name(), keys, wait, lease);
			return proceed(invocation, lockTemplate, handles.toArray(new LockHandle[0]));
		}
		String key = operation.key(context);
		LockHandle handle = lockTemplate.acquire(operation.name(), key, wait, lease);
		return proceed(invocation, lockTemplate, handle);
	}

	private Object proceed(MethodInvocation invocation, LockTemplate lockTemplate, LockHandle... handles) throws Throwable {
		LockContext.Scope[] scopes = new LockContext.Scope[handles.length];
		Object result;
		try {
			for (int i = 0; i < handles.length; i++) {
				scopes[i] = LockContext.bind(handles[i]);
			}
			result = invocation.proceed();
		}
		catch (Throwable ex) {
			unbind(scopes);
			release(handles);
			throw ex;
		}
		unbind(scopes);
		if (result instanceof CompletionStage<?> stage) {
			// the call goes on elsewhere: this thread no longer holds the lock for re-entry
			for (LockHandle handle : handles) {
				lockTemplate.detachFromThread(handle);
			}
			return stage.whenComplete((value, error) -> release(handles));
		}
		if (result != null && ReactiveLocks.isReactive(result)) {
			for (LockHandle handle : handles) {
				lockTemplate.detachFromThread(handle);
			}
			return ReactiveLocks.releaseWhenDone(result, () -> release(handles));
		}
		release(handles);
		return result;
	}

	private static void unbind(LockContext.Scope[] scopes) {
		for (int i = scopes.length - 1; i >= 0; i--) {
			if (scopes[i] != null) {
				scopes[i].close();
			}
		}
	}

	private static void release(LockHandle[] handles) {
		for (int i = handles.length - 1; i >= 0; i--) {
			handles[i].close();
		}
	}

	private LockTemplate template() {
		LockTemplate t = this.template;
		if (t == null) {
			t = this.templateSupplier.get();
			this.template = t;
		}
		return t;
	}
}
