package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.util.StringValueResolver;

/**
 * A {@code waitTime} or {@code leaseTime} attribute, resolved as far as possible at startup: a duration
 * literal or placeholder becomes a fixed value, a constant SpEL expression is evaluated once, and an
 * expression over the arguments is parsed now and evaluated per call.
 */
abstract sealed class DurationSource permits DurationSource.Default, DurationSource.Fixed, DurationSource.Evaluated {

	/** Returns the duration for one call; {@code fallback} is the configured default. */
	abstract Duration resolve(EvaluationContext context, Duration fallback);

	/**
	 * Parses an attribute value.
	 * @param raw the attribute as written
	 * @param attribute {@code waitTime} or {@code leaseTime}, for messages and the sign check
	 * @param operation describes the method, for messages
	 * @throws IllegalStateException naming the method when the value is malformed or out of range
	 */
	static DurationSource parse(String raw, String attribute, Method method, Class<?> targetClass, String operation,
			StringValueResolver placeholders, LockExpressionEvaluator evaluator) {
		String value = raw;
		if (placeholders != null && value.contains("${")) {
			try {
				value = placeholders.resolveStringValue(value);
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + operation + ": " + ex.getMessage(), ex);
			}
		}
		if (value == null || value.isBlank()) {
			return new Default();
		}
		String trimmed = value.trim();
		Duration literal = literal(trimmed);
		if (literal != null) {
			return new Fixed(check(literal, attribute, raw, operation));
		}
		Expression expression;
		try {
			expression = evaluator.expression(method, targetClass, trimmed);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + operation
					+ ": neither a duration (500ms, 2s, PT2S, a number of milliseconds) nor a valid SpEL expression: "
					+ ex.getMessage(), ex);
		}
		if (!trimmed.contains("#") && !trimmed.contains("@")) {
			// a constant: evaluate it now, so that a mistake fails startup instead of the first call
			try {
				Object result = expression.getValue(evaluator.createContext(method, new Object[0], null, targetClass));
				return new Fixed(check(convert(result, attribute, raw, operation), attribute, raw, operation));
			}
			catch (IllegalStateException ex) {
				throw ex;
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + operation + ": " + ex.getMessage(), ex);
			}
		}
		return new Evaluated(expression, attribute, raw, operation);
	}

	private static Duration literal(String value) {
		try {
			return DurationStyle.detectAndParse(value, ChronoUnit.MILLIS);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	static Duration convert(Object result, String attribute, String raw, String operation) {
		if (result instanceof Duration duration) {
			return duration;
		}
		if (result instanceof Number number) {
			return Duration.ofMillis(number.longValue());
		}
		if (result instanceof CharSequence text) {
			Duration parsed = literal(text.toString().trim());
			if (parsed != null) {
				return parsed;
			}
		}
		throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + operation
				+ ": evaluated to " + result + ", expected a java.time.Duration or a number of milliseconds");
	}

	static Duration check(Duration duration, String attribute, String raw, String operation) {
		boolean lease = "leaseTime".equals(attribute);
		if (duration.isNegative() || (lease && duration.isZero())) {
			throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + operation + ": "
					+ (lease ? "a lease must be positive" : "a wait must not be negative") + " (was " + duration + ")");
		}
		return duration;
	}

	/** The configured default applies. */
	static final class Default extends DurationSource {

		@Override
		Duration resolve(EvaluationContext context, Duration fallback) {
			return fallback;
		}
	}

	/** Known at startup. */
	static final class Fixed extends DurationSource {

		private final Duration value;

		Fixed(Duration value) {
			this.value = value;
		}

		@Override
		Duration resolve(EvaluationContext context, Duration fallback) {
			return this.value;
		}

		Duration value() {
			return this.value;
		}
	}

	/** Depends on the call's arguments. */
	static final class Evaluated extends DurationSource {

		private final Expression expression;

		private final String attribute;

		private final String raw;

		private final String operation;

		Evaluated(Expression expression, String attribute, String raw, String operation) {
			this.expression = expression;
			this.attribute = attribute;
			this.raw = raw;
			this.operation = operation;
		}

		@Override
		Duration resolve(EvaluationContext context, Duration fallback) {
			Object result;
			try {
				result = this.expression.getValue(context);
			}
			catch (RuntimeException ex) {
				throw new IllegalArgumentException("Could not evaluate " + this.attribute + " '" + this.raw + "' of "
						+ this.operation + ": " + ex.getMessage(), ex);
			}
			if (result == null) {
				return fallback;
			}
			try {
				return check(convert(result, this.attribute, this.raw, this.operation), this.attribute, this.raw, this.operation);
			}
			catch (IllegalStateException ex) {
				throw new IllegalArgumentException(ex.getMessage());
			}
		}
	}
}
