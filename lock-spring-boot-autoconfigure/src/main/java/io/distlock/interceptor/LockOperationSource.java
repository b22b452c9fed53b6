package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.distlock.annotation.DistributedLocked;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.expression.Expression;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringValueResolver;

/**
 * Reads {@code @DistributedLocked} into {@link LockOperation}s, once per (method, target class).
 *
 * <p>The first time a class is seen (when the proxy is created, at startup), every annotated method of
 * it is read and checked, so a malformed expression or duration on any method fails startup with a
 * message naming that method, not only the first one the proxy machinery happens to look at.
 */
public class LockOperationSource {

	private static final LockOperation NONE = new LockOperation("none", "none", null, List.of(), List.of(), false, null, null);

	private final Map<MethodClassKey, LockOperation> operations = new ConcurrentHashMap<>(256);

	private final Map<Class<?>, Boolean> candidates = new ConcurrentHashMap<>(256);

	private final StringValueResolver placeholders;

	private final LockExpressionEvaluator evaluator;

	/**
	 * Creates a source.
	 * @param placeholders resolves {@code ${...}} in durations (may be null)
	 * @param evaluator parses and caches the expressions
	 */
	public LockOperationSource(StringValueResolver placeholders, LockExpressionEvaluator evaluator) {
		this.placeholders = placeholders;
		this.evaluator = evaluator;
	}

	/** Returns the evaluator that holds the parsed expressions. */
	public LockExpressionEvaluator evaluator() {
		return this.evaluator;
	}

	/**
	 * Whether {@code targetClass} has any {@code @DistributedLocked} method; reads and checks all of
	 * them on first sight.
	 * @throws IllegalStateException naming the method whose annotation is invalid
	 */
	public boolean isCandidateClass(Class<?> targetClass) {
		Boolean known = this.candidates.get(targetClass);
		if (known != null) {
			return known;
		}
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		if (!AnnotationUtils.isCandidateClass(userClass, DistributedLocked.class)) {
			this.candidates.put(targetClass, false);
			return false;
		}
		boolean[] found = { false };
		ReflectionUtils.doWithMethods(userClass, (method) -> {
			if (getOperation(method, targetClass) != null) {
				found[0] = true;
			}
		}, (method) -> !method.isBridge() && !method.isSynthetic() && method.getDeclaringClass() != Object.class);
		for (Class<?> ifc : ClassUtils.getAllInterfacesForClassAsSet(userClass)) {
			for (Method method : ifc.getMethods()) {
				if (getOperation(method, targetClass) != null) {
					found[0] = true;
				}
			}
		}
		this.candidates.put(targetClass, found[0]);
		return found[0];
	}

	/**
	 * Returns the operation of {@code method} when called on {@code targetClass}, or {@code null}.
	 * @throws IllegalStateException naming the method when its annotation is invalid
	 */
	public LockOperation getOperation(Method method, Class<?> targetClass) {
		if (method.getDeclaringClass() == Object.class) {
			return null;
		}
		MethodClassKey cacheKey = new MethodClassKey(method, targetClass);
		LockOperation cached = this.operations.get(cacheKey);
		if (cached == null) {
			LockOperation read = read(method, targetClass);
			cached = (read != null) ? read : NONE;
			LockOperation previous = this.operations.putIfAbsent(cacheKey, cached);
			cached = (previous != null) ? previous : cached;
		}
		return (cached != NONE) ? cached : null;
	}

	private LockOperation read(Method method, Class<?> targetClass) {
		Class<?> userClass = (targetClass != null) ? ClassUtils.getUserClass(targetClass) : method.getDeclaringClass();
		Method specific = AopUtils.getMostSpecificMethod(method, userClass);
		DistributedLocked annotation = AnnotatedElementUtils.findMergedAnnotation(specific, DistributedLocked.class);
		if (annotation == null && specific != method) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(method, DistributedLocked.class);
		}
		if (annotation == null) {
			return null;
		}
		String description = specific.getDeclaringClass().getSimpleName() + "." + specific.getName() + "("
				+ String.join(", ", Arrays.stream(specific.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
		String where = "@DistributedLocked method " + ClassUtils.getQualifiedMethodName(specific, userClass);
		if (Modifier.isPrivate(specific.getModifiers()) || Modifier.isStatic(specific.getModifiers())) {
			throw new IllegalStateException(where + " is private or static: a proxy cannot lock it");
		}
		if (!annotation.key().isEmpty() && annotation.keys().length > 0) {
			throw new IllegalStateException(where + " sets both key and keys: use one of them");
		}
		String name = annotation.name().isEmpty() ? specific.getDeclaringClass().getSimpleName() + "." + specific.getName()
				: annotation.name();
		boolean multi = annotation.keys().length > 0;
		List<String> sources = multi ? List.of(annotation.keys())
				: (annotation.key().isEmpty() ? List.of() : List.of(annotation.key()));
		List<Expression> expressions = new ArrayList<>();
		for (String source : sources) {
			if (source.isBlank()) {
				throw new IllegalStateException(where + " has a blank key expression");
			}
			try {
				expressions.add(this.evaluator.expression(specific, targetClass, source));
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException(where + " has an invalid key expression '" + source + "': " + ex.getMessage(), ex);
			}
		}
		DurationSource wait = DurationSource.parse(annotation.waitTime(), "waitTime", specific, targetClass, where,
				this.placeholders, this.evaluator);
		DurationSource lease = DurationSource.parse(annotation.leaseTime(), "leaseTime", specific, targetClass, where,
				this.placeholders, this.evaluator);
		return new LockOperation(description, name, specific, List.copyOf(expressions), sources, multi, wait, lease);
	}
}
