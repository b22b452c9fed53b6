package io.distlock.interceptor;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;

/**
 * The key expressions of one method, and the rules that turn their values into lock keys. A key must be
 * a stable name for the thing it locks: {@code null}, an empty string, an empty set of keys, or an object
 * whose class keeps {@code Object.toString()} (a new identity per instance, so a new lock per call) is
 * rejected with an {@link IllegalArgumentException} naming the method and expression, before anything
 * is locked or run.
 */
final class LockKeys {

	/** Whether a class has a {@code toString()} of its own (or inherited from anything but Object). */
	private static final ClassValue<Boolean> OWN_TO_STRING = new ClassValue<>() {

		@Override
		protected Boolean computeValue(Class<?> type) {
			try {
				return type.getMethod("toString").getDeclaringClass() != Object.class;
			}
			catch (NoSuchMethodException ex) {
				return false;
			}
		}
	};

	private final String where;

	private final List<Expression> expressions;

	private final List<String> sources;

	LockKeys(String where, List<Expression> expressions, List<String> sources) {
		this.where = where;
		this.expressions = expressions;
		this.sources = sources;
	}

	boolean isEmpty() {
		return this.expressions.isEmpty();
	}

	/** Evaluates the single key ({@code ""} when the method has none). */
	String single(EvaluationContext context) {
		if (this.expressions.isEmpty()) {
			return "";
		}
		return toKey(evaluate(0, context), 0);
	}

	/** Evaluates every key of a multi-key method, flattening collections and arrays. */
	List<String> all(EvaluationContext context) {
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < this.expressions.size(); i++) {
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
		if (keys.isEmpty()) {
			throw new IllegalArgumentException("Lock keys " + quoted() + " of " + this.where
					+ " evaluated to no key at all (an empty collection or array): nothing would be locked; the method was not called");
		}
		return keys;
	}

	private @Nullable Object evaluate(int index, EvaluationContext context) {
		try {
			return this.expressions.get(index).getValue(context);
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("Could not evaluate lock key expression '" + this.sources.get(index) + "' of "
					+ this.where + ": " + ex.getMessage(), ex);
		}
	}

	private String toKey(@Nullable Object value, int index) {
		if (value instanceof String text) {
			if (text.isEmpty()) {
				throw rejected(index, "an empty string");
			}
			return text;
		}
		if (value == null) {
			throw rejected(index, "null");
		}
		if (!OWN_TO_STRING.get(value.getClass())) {
			throw new IllegalArgumentException("Lock key expression '" + this.sources.get(index) + "' of " + this.where
					+ " evaluated to a " + value.getClass().getName() + ", which keeps Object.toString(): every instance would be"
					+ " a lock of its own. Give the class a toString() that names what it locks, or select an identifying"
					+ " property in the expression; the method was not called");
		}
		String key = value.toString();
		if (key == null || key.isEmpty()) {
			throw rejected(index, (key == null) ? "null" : "an empty string");
		}
		return key;
	}

	private IllegalArgumentException rejected(int index, String what) {
		return new IllegalArgumentException("Lock key expression '" + this.sources.get(index) + "' of " + this.where
				+ " evaluated to " + what + "; the method was not called");
	}

	private String quoted() {
		return String.join(", ", this.sources.stream().map((s) -> "'" + s + "'").toList());
	}

	@Override
	public String toString() {
		return this.sources.toString();
	}
}
