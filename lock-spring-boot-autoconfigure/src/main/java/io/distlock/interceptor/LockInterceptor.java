package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import io.distlock.core.LockTemplate;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;

/**
 * The advice behind {@code @DistributedLocked}: finds the method's {@link LockOperation} (read at
 * startup), evaluates what the call locks, and hands the call to the operation's
 * {@link ResultLifecycle}, which acquires, runs and releases as the result type needs.
 *
 * <p>The template is looked up on the first locked call, not when the advisor is created, so that the
 * backend's beans are not created early by the proxy machinery.
 */
public class LockInterceptor implements MethodInterceptor {

	private final LockOperationSource source;

	private final Supplier<LockTemplate> templateSupplier;

	private volatile @Nullable LockTemplate template;

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
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Method method = invocation.getMethod();
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopProxyUtils.ultimateTargetClass(target) : method.getDeclaringClass();
		LockOperation operation = this.source.getOperation(method, targetClass);
		if (operation == null) {
			return invocation.proceed();
		}
		LockCall call = operation.call(template(), invocation, target, targetClass, this.source.evaluator());
		return operation.lifecycle().invoke(call);
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
