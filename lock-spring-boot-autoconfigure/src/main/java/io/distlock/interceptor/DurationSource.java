package io.distlock.interceptor;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.SpelEvaluationException;
import org.springframework.expression.spel.SpelMessage;
import org.springframework.util.Assert;
import org.springframework.util.StringValueResolver;

/**
 * A {@code waitTime}, {@code leaseTime} or {@code minHoldTime} attribute, resolved as far as possible at
 * startup: a duration literal or placeholder becomes a fixed value, an expression of literals and
 * operators is evaluated once, and any other expression is parsed now and evaluated per call. Which of
 * these an expression is comes from its parsed form ({@link ExpressionReach}), never from its text.
 */
abstract sealed class DurationSource permits DurationSource.Default, DurationSource.Fixed, DurationSource.Evaluated {

	/**
	 * Returns the duration for one call, or {@code null} for the template's default.
	 * @param context the call's evaluation context; {@code null} only for a value that does not depend on the call
	 * ({@link #perCall()} is {@code false})
	 */
	abstract @Nullable Duration resolve(@Nullable EvaluationContext context);

	/** Whether the value depends on the call (needs an evaluation context). */
	boolean perCall() {
		return false;
	}

	/**
	 * Parses an attribute value.
	 * @param raw the attribute as written
	 * @param attribute {@code waitTime}, {@code leaseTime} or {@code minHoldTime}, for messages and the range check
	 * @param where names the method, for messages
	 * @throws IllegalStateException naming the method when the value is malformed or out of range
	 */
	static DurationSource parse(String raw, String attribute, Method method, Class<?> targetClass, String where,
			@Nullable StringValueResolver placeholders, LockExpressionEvaluator evaluator) {
		String value = raw;
		if (placeholders != null && value.contains("${")) {
			try {
				value = placeholders.resolveStringValue(value);
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + where + ": " + ex.getMessage(), ex);
			}
		}
		if (value == null || value.isBlank()) {
			return new Default();
		}
		String trimmed = value.trim();
		Duration literal = literal(trimmed);
		if (literal != null) {
			return new Fixed(check(literal, attribute, raw, where));
		}
		Expression expression;
		try {
			expression = evaluator.expression(method, targetClass, trimmed);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + where
					+ ": neither a duration (500ms, 2s, PT2S, a number of milliseconds) nor a valid SpEL expression: "
					+ ex.getMessage(), ex);
		}
		LockOperationSource.checkRootReferences(expression, attribute + " '" + raw + "'", where);
		ExpressionReach reach = ExpressionReach.of(expression);
		if (reach == ExpressionReach.CALL) {
			return new Evaluated(expression, attribute, raw, where);
		}
		// the value does not depend on the call: evaluate it now, so that a mistake fails startup
		EvaluationContext startup = evaluator.createContext(method, new Object[0], null, targetClass);
		Object result;
		try {
			result = expression.getValue(startup);
		}
		catch (SpelEvaluationException ex) {
			if (reach == ExpressionReach.OUTSIDE && ex.getMessageCode() == SpelMessage.EXCEPTION_DURING_METHOD_INVOCATION) {
				// the method exists and was called; it may simply not be ready before the application is
				return new Evaluated(expression, attribute, raw, where);
			}
			throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + where + ": " + ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + where + ": " + ex.getMessage(), ex);
		}
		Duration now = (result != null) ? check(convert(result, attribute, raw, where), attribute, raw, where) : null;
		if (reach == ExpressionReach.OUTSIDE) {
			// a method call or a field read: its value may change, so it is evaluated per call too
			return new Evaluated(expression, attribute, raw, where);
		}
		return (now != null) ? new Fixed(now) : new Default();
	}

	private static @Nullable Duration literal(String value) {
		try {
			return DurationStyle.detectAndParse(value, ChronoUnit.MILLIS);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	static Duration convert(Object result, String attribute, String raw, String where) {
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
		throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + where
				+ ": evaluated to " + result + ", expected a java.time.Duration or a number of milliseconds");
	}

	static Duration check(Duration duration, String attribute, String raw, String where) {
		boolean lease = "leaseTime".equals(attribute);
		if (duration.isNegative() || (lease && duration.isZero())) {
			throw new IllegalStateException("Invalid " + attribute + " '" + raw + "' on " + where + ": "
					+ (lease ? "a lease must be positive" : "it must not be negative") + " (was " + duration + ")");
		}
		return duration;
	}

	/** The configured default applies. */
	static final class Default extends DurationSource {

		@Override
		@Nullable Duration resolve(@Nullable EvaluationContext context) {
			return null;
		}
	}

	/** Known at startup. */
	static final class Fixed extends DurationSource {

		private final Duration value;

		Fixed(Duration value) {
			this.value = value;
		}

		@Override
		Duration resolve(@Nullable EvaluationContext context) {
			return this.value;
		}
	}

	/** Evaluated per call: it reads the call, or something that may change over time. */
	static final class Evaluated extends DurationSource {

		private final Expression expression;

		private final String attribute;

		private final String raw;

		private final String where;

		Evaluated(Expression expression, String attribute, String raw, String where) {
			this.expression = expression;
			this.attribute = attribute;
			this.raw = raw;
			this.where = where;
		}

		@Override
		boolean perCall() {
			return true;
		}

		@Override
		@Nullable Duration resolve(@Nullable EvaluationContext context) {
			Assert.state(context != null, "an expression that depends on the call needs the call's evaluation context");
			Object result;
			try {
				result = this.expression.getValue(context);
			}
			catch (RuntimeException ex) {
				throw new IllegalArgumentException("Could not evaluate " + this.attribute + " '" + this.raw + "' of "
						+ this.where + ": " + ex.getMessage(), ex);
			}
			if (result == null) {
				return null;
			}
			try {
				return check(convert(result, this.attribute, this.raw, this.where), this.attribute, this.raw, this.where);
			}
			catch (IllegalStateException ex) {
				throw new IllegalArgumentException(ex.getMessage());
			}
		}
	}
}
