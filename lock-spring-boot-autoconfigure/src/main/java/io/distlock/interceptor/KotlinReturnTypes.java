package io.distlock.interceptor;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;

/**
 * What Kotlin says about a method's return type, which Java reflection cannot tell: whether a
 * {@code whenLocked = SKIP} call may return {@code null} to it. Touches Kotlin only through Spring's
 * {@link MethodParameter}, so it needs no Kotlin on the class path.
 */
final class KotlinReturnTypes {

	private KotlinReturnTypes() {
	}

	/**
	 * Returns why a skipped call cannot return {@code null} to {@code method}'s Kotlin caller, or
	 * {@code null} when it can (or the method is not Kotlin).
	 */
	static @Nullable String whyNullIsImpossible(Method method) {
		if (!KotlinDetector.isKotlinReflectPresent() || !KotlinDetector.isKotlinType(method.getDeclaringClass())) {
			return null;
		}
		MethodParameter returned = new MethodParameter(method, -1);
		Class<?> type = returned.getParameterType();
		if (type == void.class || "kotlin.Unit".equals(type.getName()) || returned.isOptional()) {
			return null;
		}
		return "its Kotlin return type " + type.getSimpleName() + " is not nullable, and a skipped call returns null;"
				+ " declare it " + type.getSimpleName() + "? or use whenLocked = FAIL";
	}
}
