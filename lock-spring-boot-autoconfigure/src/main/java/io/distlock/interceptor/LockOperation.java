package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

import io.distlock.annotation.WhenLocked;
import io.distlock.core.LockSpec;
import io.distlock.core.LockTemplate;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.expression.EvaluationContext;

/**
 * One {@code @DistributedLocked} method, read and checked once per (method, target class): the lock
 * name, the parsed key expressions, the wait, lease and minimum hold, what happens when the lock is
 * busy, and the {@link ResultLifecycle} of its return type. Immutable and shared by all calls; a call
 * evaluates only what depends on it.
 */
public final class LockOperation {

	private final String description;

	private final Method method;

	private final LockKeys keys;

	private final boolean multiKey;

	private final DurationSource waitTime;

	private final DurationSource leaseTime;

	private final DurationSource minHoldTime;

	private final WhenLocked whenLocked;

	private final @Nullable FallbackMethod fallback;

	private final ResultLifecycle lifecycle;

	/** The name, fairness and every duration known at startup; a call adds its key. */
	private final LockSpec baseSpec;

	private final boolean needsContext;

	LockOperation(String description, String name, Method method, LockKeys keys, boolean multiKey, DurationSource waitTime,
			DurationSource leaseTime, DurationSource minHoldTime, boolean fair, WhenLocked whenLocked,
			@Nullable FallbackMethod fallback, ResultLifecycle lifecycle) {
		this.description = description;
		this.method = method;
		this.keys = keys;
		this.multiKey = multiKey;
		this.waitTime = waitTime;
		this.leaseTime = leaseTime;
		this.minHoldTime = minHoldTime;
		this.whenLocked = whenLocked;
		this.fallback = fallback;
		this.lifecycle = lifecycle;
		this.baseSpec = LockSpec.of(name)
			.waitTime(waitTime.perCall() ? null : waitTime.resolve(null))
			.leaseTime(leaseTime.perCall() ? null : leaseTime.resolve(null))
			.minHoldTime(minHoldTime.perCall() ? null : minHoldTime.resolve(null))
			.fair(fair);
		this.needsContext = !keys.isEmpty() || waitTime.perCall() || leaseTime.perCall() || minHoldTime.perCall();
	}

	/** Returns the lock name. */
	public String name() {
		return this.baseSpec.name();
	}

	/** Returns {@code Class.method(ParameterTypes)} for messages. */
	public String description() {
		return this.description;
	}

	/** Returns the method this operation was read from (the most specific one). */
	public Method method() {
		return this.method;
	}

	/** Whether the operation takes several keys ({@code keys}). */
	public boolean isMultiKey() {
		return this.multiKey;
	}

	/** Whether the lock must be granted in the order callers started waiting. */
	public boolean isFair() {
		return this.baseSpec.fair();
	}

	/** What a call does when the lock stays taken. */
	public WhenLocked whenLocked() {
		return this.whenLocked;
	}

	@Nullable FallbackMethod fallback() {
		return this.fallback;
	}

	ResultLifecycle lifecycle() {
		return this.lifecycle;
	}

	/**
	 * Evaluates what the call locks and builds it; bad input throws here, before anything is locked.
	 * @throws IllegalArgumentException naming the method and expression for a bad key or duration
	 */
	LockCall call(LockTemplate template, MethodInvocation invocation, @Nullable Object target, Class<?> targetClass,
			LockExpressionEvaluator evaluator) {
		if (!this.needsContext) {
			return new LockCall(this, template, invocation, this.baseSpec, null);
		}
		EvaluationContext context = evaluator.createContext(this.method, invocation.getArguments(), target, targetClass);
		LockSpec spec = this.baseSpec;
		List<String> keys = null;
		if (this.multiKey) {
			keys = this.keys.all(context);
		}
		else if (!this.keys.isEmpty()) {
			spec = spec.key(this.keys.single(context));
		}
		if (this.waitTime.perCall()) {
			spec = spec.waitTime(this.waitTime.resolve(context));
		}
		if (this.leaseTime.perCall()) {
			spec = spec.leaseTime(this.leaseTime.resolve(context));
		}
		if (this.minHoldTime.perCall()) {
			Duration minHold = this.minHoldTime.resolve(context);
			spec = spec.minHoldTime(minHold);
		}
		return new LockCall(this, template, invocation, spec, keys);
	}

	@Override
	public String toString() {
		return "LockOperation[" + this.description + ", name=" + name() + ", keys=" + this.keys + ", "
				+ this.lifecycle.describe() + "]";
	}
}
