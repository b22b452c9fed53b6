package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.AnnotatedElementKey;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.CachedExpressionEvaluator;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;

/**
 * Parses each lock expression once per method and caches it; builds the per-call evaluation context
 * (arguments by name, {@code #p0}/{@code #a0}, {@code #root.*}, {@code @bean} references).
 * Expressions are compiled by SpEL's mixed mode once they have run a few times.
 */
public class LockExpressionEvaluator extends CachedExpressionEvaluator {

	private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

	/**
	 * Parameter names per method, looked up once: the discoverer reflects on every call. Held by this
	 * evaluator (one per application context), not statically, so that it never pins classes.
	 */
	private final Map<Method, Optional<String[]>> parameterNames = new ConcurrentHashMap<>(64);

	private final Function<Method, String @Nullable []> namesOfParameters = (method) -> this.parameterNames
		.computeIfAbsent(method, (m) -> Optional.ofNullable(PARAMETER_NAMES.getParameterNames(m)))
		.orElse(null);

	private final Map<ExpressionKey, Expression> cache = new ConcurrentHashMap<>(64);

	private final AtomicLong parseCount = new AtomicLong();

	/**
	 * Holds the accessors and resolvers every call shares: a fresh context per call would otherwise
	 * create fresh reflective accessors and look every property up again.
	 */
	private final StandardEvaluationContext shared = new StandardEvaluationContext();

	/** Creates an evaluator that resolves {@code @bean} references in {@code beanFactory} (may be null). */
	public LockExpressionEvaluator(@Nullable BeanFactory beanFactory) {
		super(new SpelExpressionParser(new SpelParserConfiguration(SpelCompilerMode.MIXED, LockExpressionEvaluator.class.getClassLoader())));
		if (beanFactory != null) {
			this.shared.setBeanResolver(new BeanFactoryResolver(beanFactory));
		}
		// the shared context makes its default accessors and resolvers lazily: make them now, on one thread
		this.shared.getPropertyAccessors();
		this.shared.getIndexAccessors();
		this.shared.getConstructorResolvers();
		this.shared.getMethodResolvers();
		this.shared.getTypeLocator();
	}

	/**
	 * Returns the parsed expression for {@code expression} on {@code method}, parsing it on first use.
	 * @throws org.springframework.expression.ParseException if it is malformed
	 */
	public Expression expression(Method method, Class<?> targetClass, String expression) {
		return getExpression(this.cache, new AnnotatedElementKey(method, targetClass), expression);
	}

	@Override
	protected Expression parseExpression(String expression) {
		this.parseCount.incrementAndGet();
		return super.parseExpression(expression);
	}

	/** Returns how many times an expression was parsed (each distinct one should be parsed once). */
	public long parseCount() {
		return this.parseCount.get();
	}

	/** Creates the evaluation context of one call. */
	public EvaluationContext createContext(Method method, @Nullable Object[] args, @Nullable Object target, Class<?> targetClass) {
		return new CallEvaluationContext(this.shared, new LockExpressionRootObject(method, args, target, targetClass),
				this.namesOfParameters);
	}
}
