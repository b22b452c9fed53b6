package io.distlock.aot;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.distlock.annotation.DistributedLocked;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers, for every bean with {@code @DistributedLocked} methods, what the interceptor reaches by
 * reflection at run time: the bean's class and its locked methods (their annotations are read), the
 * methods named by {@code fallback} (invoked), and the parameter types of locked methods (their key,
 * wait and lease expressions read properties such as {@code #order.sku} through SpEL).
 */
class LockedMethodsAotProcessor implements BeanRegistrationAotProcessor {

	@Override
	public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Class<?> beanClass = ClassUtils.getUserClass(registeredBean.getBeanClass());
		List<Method> locked = lockedMethods(beanClass);
		if (locked.isEmpty()) {
			return null;
		}
		return (generationContext, beanRegistrationCode) -> register(generationContext.getRuntimeHints().reflection(), beanClass, locked);
	}

	static List<Method> lockedMethods(Class<?> beanClass) {
		List<Method> locked = new ArrayList<>();
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(beanClass, ReflectionUtils.USER_DECLARED_METHODS)) {
			if (MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY).isPresent(DistributedLocked.class)) {
				locked.add(method);
			}
		}
		return locked;
	}

	static void register(ReflectionHints hints, Class<?> beanClass, List<Method> locked) {
		hints.registerType(beanClass);
		Set<Class<?>> argumentTypes = new LinkedHashSet<>();
		for (Method method : locked) {
			hints.registerMethod(method, ExecutableMode.INVOKE);
			for (Class<?> type : method.getParameterTypes()) {
				if (!type.isPrimitive() && !type.getName().startsWith("java.")) {
					argumentTypes.add(type);
				}
			}
			String fallback = fallbackName(method);
			if (!fallback.isEmpty()) {
				for (Method candidate : ReflectionUtils.getUniqueDeclaredMethods(beanClass, (m) -> m.getName().equals(fallback))) {
					hints.registerMethod(candidate, ExecutableMode.INVOKE);
				}
			}
		}
		for (Class<?> type : argumentTypes) {
			hints.registerType(type, MemberCategory.INVOKE_PUBLIC_METHODS);
		}
	}

	/** The {@code fallback} attribute, read by name so that this also works with an annotation that predates it. */
	private static String fallbackName(Method method) {
		MergedAnnotation<DistributedLocked> annotation = MergedAnnotations.from(method, SearchStrategy.TYPE_HIERARCHY)
			.get(DistributedLocked.class);
		return annotation.getValue("fallback", String.class).orElse("");
	}
}
