package io.distlock.interceptor;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;

/**
 * One {@code @DistributedLocked} method, read once per (method, target class): the lock name, the
 * parsed key expressions and the wait and lease sources. Immutable and shared by all calls.
 */
public final class LockOperation {

	private final String description;

	private final String name;

	private final Method method;

	private final List<Expression> keyExpressions;

	private final List<String> keySources;

	private final boolean multiKey;

	private final DurationSource waitTime;

	private final DurationSource leaseTime;

	LockOperation(String description, String name, Method method, List<Expression> keyExpressions,
			List<String> keySources, boolean multiKey, DurationSource waitTime, DurationSource leaseTime) {
		this.description = description;
		this.name = name;
		this.method = method;
		this.keyExpressions = keyExpressions;
		this.keySources = keySources;
		this.multiKey = multiKey;
		this.waitTime = waitTime;
		this.leaseTime = leaseTime;
	}

	/** Returns the lock name. */
	public String name() {
		return this.name;
	}

	/** Returns {@code Class.method} for messages. */
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

	/** Whether any attribute needs the per-call evaluation context. */
	boolean needsContext() {
		return !this.keyExpressions.isEmpty() || this.waitTime instanceof DurationSource.Evaluated
				|| this.leaseTime instanceof DurationSource.Evaluated;
	}

	/**
	 * Evaluates the single key ({@code ""} when the method has none).
	 * @throws IllegalArgumentException naming the method and expression when it is null or empty
	 */
	String key(EvaluationContext context) {
		if (this.keyExpressions.isEmpty()) {
			return "";
		}
		return toKey(evaluate(0, context), 0);
	}

	/**
	 * Evaluates every key of a multi-key operation, flattening collections and arrays.
	 * @throws IllegalArgumentException naming the method and expression for a null or empty key
	 */
	List<String> keys(EvaluationContext context) {
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < this.keyExpressions.size(); i++) {
			Object value = evaluate(i, context);
			if (value instanceof Iterable<?> iterable) {
				for (Object element : iterable) {
					keys.add(toKey(element, i));
				}
			}
			else if (value != null && value.getClass().isArray()) {
				for (int j = 0; j < Array.getLength(value); j++) {
					keys.add(toKey(Array.get(value, j), i));
				}
			}
			else {
				keys.add(toKey(value, i));
			}
		}
		return keys;
	}

	Duration waitTime(EvaluationContext context, Duration fallback) {
		return this.waitTime.resolve(context, fallback);
	}

	Duration leaseTime(EvaluationContext context, Duration fallback) {
		return this.leaseTime.resolve(context, fallback);
	}

	private Object evaluate(int index, EvaluationContext context) {
		try {
			return this.keyExpressions.get(index).getValue(context);
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("Could not evaluate lock key expression '" + this.keySources.get(index)
					+ "' of " + this.description + ": " + ex.getMessage(), ex);
		}
	}

	private String toKey(Object value, int index) {
		String key = (value != null) ? value.toString() : null;
		if (key == null || key.isEmpty()) {
			throw new IllegalArgumentException("Lock key expression '" + this.keySources.get(index) + "' of "
					+ this.description + " evaluated to " + ((key == null) ? "null" : "an empty string")
					+ "; the method was not called");
		}
		return key;
	}

	@Override
	public String toString() {
		return "LockOperation[" + this.description + ", name=" + this.name + ", keys=" + this.keySources + "]";
	}
}
