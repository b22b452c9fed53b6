package io.distlock.interceptor;

import java.beans.PropertyDescriptor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.BeanReference;
import org.springframework.expression.spel.ast.CompoundExpression;
import org.springframework.expression.spel.ast.ConstructorReference;
import org.springframework.expression.spel.ast.FunctionReference;
import org.springframework.expression.spel.ast.Indexer;
import org.springframework.expression.spel.ast.MethodReference;
import org.springframework.expression.spel.ast.Projection;
import org.springframework.expression.spel.ast.PropertyOrFieldReference;
import org.springframework.expression.spel.ast.Selection;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;

/**
 * What a parsed expression reads, judged from its syntax tree (never from its text, where
 * {@code args[0].timeout} has no {@code #} and still reads the call):
 * <ul>
 * <li>{@link #CALL}: a variable ({@code #order}, {@code #root}, {@code #p0}), a bean ({@code @b}), or a
 * property, method or index at the start of a chain, which reads the root object ({@code args[0]},
 * {@code methodName}): only a call can evaluate it.</li>
 * <li>{@link #OUTSIDE}: reads nothing of the call, but calls a method, a constructor or reads a field
 * ({@code T(java.time.Duration).ofSeconds(5)}, {@code T(com.acme.Limits).wait()}): its value may change
 * over time, so it is evaluated per call (and once at startup, to find mistakes early).</li>
 * <li>{@link #CONSTANT}: literals and operators only: evaluated once, at startup.</li>
 * </ul>
 */
enum ExpressionReach {

	CONSTANT, OUTSIDE, CALL;

	static ExpressionReach of(Expression expression) {
		if (!(expression instanceof SpelExpression spel)) {
			return CALL;
		}
		return of(spel.getAST(), true);
	}

	/** What the root object offers: its properties and method names. */
	private static final Set<String> ROOT_PROPERTIES = rootProperties();

	private static final Set<String> ROOT_METHODS = Arrays.stream(LockExpressionRootObject.class.getMethods())
		.map(Method::getName).collect(Collectors.toUnmodifiableSet());

	/**
	 * Returns a reference to the root object that it does not have ({@code sku} where {@code #sku} was
	 * meant), which would fail every call; {@code null} if there is none.
	 */
	static @Nullable String unknownRootReference(Expression expression) {
		return (expression instanceof SpelExpression spel) ? unknownRootReference(spel.getAST(), true) : null;
	}

	private static @Nullable String unknownRootReference(SpelNode node, boolean head) {
		if (head && node instanceof PropertyOrFieldReference property && !ROOT_PROPERTIES.contains(property.getName())) {
			return property.getName();
		}
		if (head && node instanceof MethodReference method && !ROOT_METHODS.contains(method.getName())) {
			return method.getName() + "(..)";
		}
		if (node instanceof Projection || node instanceof Selection) {
			return null; // evaluated against each element, not the root
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			String unknown = unknownRootReference(node.getChild(i), !(node instanceof CompoundExpression) || (i == 0 && head));
			if (unknown != null) {
				return unknown;
			}
		}
		return null;
	}

	private static Set<String> rootProperties() {
		Set<String> names = new HashSet<>();
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(LockExpressionRootObject.class)) {
			names.add(descriptor.getName());
		}
		for (RecordComponent component : LockExpressionRootObject.class.getRecordComponents()) {
			names.add(component.getName());
		}
		return Set.copyOf(names);
	}

	/**
	 * @param head whether the node is evaluated against the root object: the first element of a chain,
	 * or an operand, argument or index (SpEL evaluates those against the root)
	 */
	private static ExpressionReach of(SpelNode node, boolean head) {
		ExpressionReach reach = CONSTANT;
		if (node instanceof VariableReference || node instanceof BeanReference || node instanceof FunctionReference) {
			return CALL;
		}
		if (node instanceof PropertyOrFieldReference || node instanceof MethodReference || node instanceof Indexer
				|| node instanceof Projection || node instanceof Selection) {
			if (head) {
				return CALL;
			}
			reach = OUTSIDE;
		}
		else if (node instanceof ConstructorReference) {
			reach = OUTSIDE;
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			boolean childHead = !(node instanceof CompoundExpression) || (i == 0 && head);
			ExpressionReach child = of(node.getChild(i), childHead);
			if (child.ordinal() > reach.ordinal()) {
				reach = child;
			}
			if (reach == CALL) {
				return CALL;
			}
		}
		return reach;
	}
}
