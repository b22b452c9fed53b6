package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import io.distlock.core.LockAcquisitionException;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.KotlinDetector;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The {@code fallback} of a {@code @DistributedLocked} method, resolved and checked at startup: a method
 * of the bean's class with the same parameters, optionally followed by a {@link LockAcquisitionException}
 * (for a Kotlin {@code suspend} function: before the continuation), whose return type is assignable to
 * the locked method's. Called on the bean itself (not through the proxy), by reflection, only when the
 * lock was not acquired.
 */
final class FallbackMethod {

	private final Method method;

	private final boolean takesException;

	private final boolean suspending;

	private FallbackMethod(Method method, boolean takesException, boolean suspending) {
		this.method = method;
		this.takesException = takesException;
		this.suspending = suspending;
		ReflectionUtils.makeAccessible(method);
	}

	/**
	 * Finds the fallback {@code name} for {@code locked} on {@code beanClass}.
	 * @throws IllegalStateException naming both methods when there is none that fits
	 */
	static FallbackMethod resolve(String name, Method locked, Class<?> beanClass, String where) {
		List<Method> candidates = Arrays.stream(ReflectionUtils.getUniqueDeclaredMethods(beanClass,
				(m) -> m.getName().equals(name) && !m.isBridge() && !m.isSynthetic())).toList();
		if (candidates.isEmpty()) {
			throw new IllegalStateException(where + " names fallback method '" + name + "', but " + beanClass.getName()
					+ " has no method of that name; expected " + expected(name, locked));
		}
		boolean suspending = KotlinDetector.isSuspendingFunction(locked);
		FallbackMethod withoutException = null;
		for (Method candidate : candidates) {
			Boolean takesException = fits(candidate, locked, suspending);
			if (Boolean.TRUE.equals(takesException)) {
				return new FallbackMethod(candidate, true, suspending);
			}
			if (Boolean.FALSE.equals(takesException) && withoutException == null) {
				withoutException = new FallbackMethod(candidate, false, suspending);
			}
		}
		if (withoutException != null) {
			return withoutException;
		}
		throw new IllegalStateException("Fallback method " + candidates.stream().map(FallbackMethod::signature).toList() + " of "
				+ where + " does not fit: expected " + expected(name, locked) + ", returning a type assignable to "
				+ locked.getReturnType().getName());
	}

	/** Returns whether {@code candidate} fits and takes the exception, {@code null} if it does not fit. */
	private static @Nullable Boolean fits(Method candidate, Method locked, boolean suspending) {
		if (!ClassUtils.isAssignable(locked.getReturnType(), candidate.getReturnType())
				|| (locked.getReturnType() == void.class) != (candidate.getReturnType() == void.class)) {
			return null;
		}
		Class<?>[] expected = arguments(locked, suspending);
		Class<?>[] actual = arguments(candidate, suspending && KotlinDetector.isSuspendingFunction(candidate));
		if (suspending != KotlinDetector.isSuspendingFunction(candidate)) {
			return null;
		}
		boolean takesException = actual.length == expected.length + 1
				&& actual[expected.length].isAssignableFrom(LockAcquisitionException.class);
		if (actual.length != expected.length && !takesException) {
			return null;
		}
		for (int i = 0; i < expected.length; i++) {
			if (!ClassUtils.isAssignable(actual[i], expected[i])) {
				return null;
			}
		}
		return takesException;
	}

	/** The parameter types a caller gives, without a suspend function's continuation. */
	private static Class<?>[] arguments(Method method, boolean suspending) {
		Class<?>[] types = method.getParameterTypes();
		return suspending ? Arrays.copyOf(types, types.length - 1) : types;
	}

	/** Calls the fallback with the call's arguments (and the exception, if it takes it). */
	@Nullable Object invoke(@Nullable Object target, @Nullable Object[] args, LockAcquisitionException ex) throws Throwable {
		@Nullable Object[] callArgs = args;
		if (this.takesException) {
			callArgs = Arrays.copyOf(args, args.length + 1);
			if (this.suspending) {
				// the continuation stays last
				callArgs[args.length] = args[args.length - 1];
				callArgs[args.length - 1] = ex;
			}
			else {
				callArgs[args.length] = ex;
			}
		}
		// handles suspend functions too: their result is then a Publisher, like the locked method's
		return AopUtils.invokeJoinpointUsingReflection(target, this.method, callArgs);
	}

	private static String expected(String name, Method locked) {
		boolean suspending = KotlinDetector.isSuspendingFunction(locked);
		List<String> types = Arrays.stream(arguments(locked, suspending)).map(Class::getSimpleName).toList();
		String plain = String.join(", ", types);
		String withException = plain.isEmpty() ? "LockAcquisitionException" : plain + ", LockAcquisitionException";
		return name + "(" + plain + ") or " + name + "(" + withException + ")";
	}

	private static String signature(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "("
				+ String.join(", ", Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
	}

	@Override
	public String toString() {
		return signature(this.method);
	}
}
