package io.distlock.interceptor;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/**
 * The {@code #root} object of lock expressions: {@code #root.method}, {@code #root.methodName},
 * {@code #root.target}, {@code #root.targetClass}, {@code #root.args}.
 *
 * @param method the method called
 * @param args the arguments of the call
 * @param target the target object (may be {@code null} when an expression is checked at startup)
 * @param targetClass the target class
 */
public record LockExpressionRootObject(Method method, @Nullable Object[] args, @Nullable Object target, Class<?> targetClass) {

	/** Returns the method's name. */
	public String methodName() {
		return this.method.getName();
	}

	// JavaBean-style accessors, so that #root.method and #root.getMethod() both work in SpEL

	public Method getMethod() {
		return this.method;
	}

	public String getMethodName() {
		return methodName();
	}

	public @Nullable Object[] getArgs() {
		return this.args;
	}

	public @Nullable Object getTarget() {
		return this.target;
	}

	public Class<?> getTargetClass() {
		return this.targetClass;
	}
}
