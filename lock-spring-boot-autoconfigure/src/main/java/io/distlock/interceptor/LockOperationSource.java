package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.distlock.annotation.DistributedLocked;
import io.distlock.annotation.WhenLocked;
import org.jspecify.annotations.Nullable;

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

	/** Cached for methods that are not locked. */
	private static final Object NONE = new Object();

	private final Map<MethodClassKey, Object> operations = new ConcurrentHashMap<>(256);

	/** The locked methods of each class seen, by most specific method. */
	private final Map<Class<?>, Collection<LockOperation>> candidates = new ConcurrentHashMap<>(256);

	private final @Nullable StringValueResolver placeholders;

	private final LockExpressionEvaluator evaluator;

	private volatile @Nullable FairLocks fairLocks;

	/**
	 * Creates a source.
	 * @param placeholders resolves {@code ${...}} in durations (may be null)
	 * @param evaluator parses and caches the expressions
	 */
	public LockOperationSource(@Nullable StringValueResolver placeholders, LockExpressionEvaluator evaluator) {
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
		return !operationsOf(targetClass).isEmpty();
	}

	/**
	 * Returns the operations of every {@code @DistributedLocked} method of {@code targetClass}; reads and
	 * checks all of them on first sight.
	 * @throws IllegalStateException naming the method whose annotation is invalid
	 */
	public Collection<LockOperation> operationsOf(Class<?> targetClass) {
		Collection<LockOperation> known = this.candidates.get(targetClass);
		if (known != null) {
			return known;
		}
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		if (!AnnotationUtils.isCandidateClass(userClass, DistributedLocked.class)) {
			this.candidates.put(targetClass, List.of());
			return List.of();
		}
		Map<Method, LockOperation> found = new LinkedHashMap<>();
		ReflectionUtils.doWithMethods(userClass, (method) -> add(method, targetClass, found),
				(method) -> !method.isBridge() && !method.isSynthetic() && method.getDeclaringClass() != Object.class);
		for (Class<?> ifc : ClassUtils.getAllInterfacesForClassAsSet(userClass)) {
			for (Method method : ifc.getMethods()) {
				add(method, targetClass, found);
			}
		}
		Collection<LockOperation> operations = List.copyOf(found.values());
		this.candidates.put(targetClass, operations);
		return operations;
	}

	private void add(Method method, Class<?> targetClass, Map<Method, LockOperation> found) {
		LockOperation operation = getOperation(method, targetClass);
		if (operation != null) {
			found.putIfAbsent(operation.method(), operation);
		}
	}

	/**
	 * Returns the operation of {@code method} when called on {@code targetClass}, or {@code null}.
	 * @throws IllegalStateException naming the method when its annotation is invalid
	 */
	public @Nullable LockOperation getOperation(Method method, Class<?> targetClass) {
		if (method.getDeclaringClass() == Object.class) {
			return null;
		}
		MethodClassKey cacheKey = new MethodClassKey(method, targetClass);
		Object cached = this.operations.get(cacheKey);
		if (cached == null) {
			LockOperation read = read(method, targetClass);
			cached = (read != null) ? read : NONE;
			Object previous = this.operations.putIfAbsent(cacheKey, cached);
			cached = (previous != null) ? previous : cached;
		}
		return (cached != NONE) ? (LockOperation) cached : null;
	}

	private @Nullable LockOperation read(Method method, Class<?> targetClass) {
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
		int modifiers = specific.getModifiers();
		if (Modifier.isPrivate(modifiers) || Modifier.isStatic(modifiers)) {
			throw new IllegalStateException(where + " is private or static: a proxy cannot lock it");
		}
		if (Modifier.isFinal(modifiers)) {
			throw new IllegalStateException(where + " is final: a class-based proxy cannot override it, so calls would"
					+ " run unlocked. Remove final (in Kotlin: make it open, or use the kotlin-spring compiler plugin)");
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
			Expression expression;
			try {
				expression = this.evaluator.expression(specific, targetClass, source);
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException(where + " has an invalid key expression '" + source + "': " + ex.getMessage(), ex);
			}
			checkRootReferences(expression, "key expression '" + source + "'", where);
			expressions.add(expression);
		}
		DurationSource wait = duration(annotation.waitTime(), "waitTime", specific, targetClass, where);
		DurationSource lease = duration(annotation.leaseTime(), "leaseTime", specific, targetClass, where);
		DurationSource minHold = duration(annotation.minHoldTime(), "minHoldTime", specific, targetClass, where);
		ResultLifecycle lifecycle = ResultLifecycles.forMethod(specific, where);
		FallbackMethod fallback = null;
		if (!annotation.fallback().isEmpty()) {
			if (annotation.whenLocked() == WhenLocked.SKIP) {
				throw new IllegalStateException(where + " sets both whenLocked = SKIP and fallback = '" + annotation.fallback()
						+ "': a skipped call has no result to fall back from; use one of them");
			}
			fallback = FallbackMethod.resolve(annotation.fallback(), specific, userClass, where);
		}
		if (annotation.whenLocked() == WhenLocked.SKIP) {
			String why = lifecycle.whySkipIsImpossible();
			if (why == null && lifecycle.skipReturnsNull()) {
				why = KotlinReturnTypes.whyNullIsImpossible(specific);
			}
			if (why != null) {
				throw new IllegalStateException(where + " sets whenLocked = SKIP, but " + why);
			}
		}
		LockOperation operation = new LockOperation(description, name, specific,
				new LockKeys(description, List.copyOf(expressions), sources), multi, wait, lease, minHold, annotation.fair(),
				annotation.whenLocked(), fallback, lifecycle);
		if (operation.isFair()) {
			checkFair(operation, where);
		}
		return operation;
	}

	/**
	 * Fails startup for a name that the root object does not have: every call would fail on it.
	 * @throws IllegalStateException naming the method, the expression and the name
	 */
	static void checkRootReferences(Expression expression, String what, String where) {
		String unknown = ExpressionReach.unknownRootReference(expression);
		if (unknown != null) {
			throw new IllegalStateException(where + " has a " + what + " that reads '" + unknown + "' from the root object,"
					+ " which has no such member: an argument is #name (or #p0, #a0); the root offers #root.method,"
					+ " #root.methodName, #root.target, #root.targetClass and #root.args (also without #root.)");
		}
	}

	private DurationSource duration(String raw, String attribute, Method method, Class<?> targetClass, String where) {
		return DurationSource.parse(raw, attribute, method, targetClass, where, this.placeholders, this.evaluator);
	}

	/**
	 * Checks every fair operation read so far, and from now on each one when it is read, against the
	 * backend: called once the backend exists (after the singletons are created).
	 * @param backend the backend's name, for messages
	 * @param supportsFairLocks whether it can grant fair locks
	 * @throws IllegalStateException naming the method and the backend when a fair lock cannot be had
	 */
	public void checkFairLocks(String backend, boolean supportsFairLocks) {
		this.fairLocks = new FairLocks(backend, supportsFairLocks);
		for (Object cached : this.operations.values()) {
			if (cached instanceof LockOperation operation && operation.isFair()) {
				checkFair(operation, "@DistributedLocked method " + operation.method().getDeclaringClass().getName() + "."
						+ operation.method().getName());
			}
		}
	}

	private void checkFair(LockOperation operation, String where) {
		FairLocks fair = this.fairLocks;
		if (fair != null && !fair.supported()) {
			throw new IllegalStateException(where + " sets fair = true, but the " + fair.backend()
					+ " backend cannot grant fair locks. Remove fair, or choose a backend that can (distributed-lock.backend)");
		}
	}

	/** What the backend can do, once known. */
	private record FairLocks(String backend, boolean supported) {
	}
}
