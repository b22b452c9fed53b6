package io.distlock.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method under a distributed lock: at most one call per lock name and key runs at
 * a time across every instance of the application that shares the backend.
 *
 * <pre class="code">
 * &#064;DistributedLocked(name = "stock", key = "#order.sku", waitTime = "2s")
 * public Receipt buy(Order order) { ... }
 * </pre>
 *
 * <p>Per call: the key is evaluated (a {@code null} or empty key throws {@link IllegalArgumentException}
 * and the method does not run), the lock is acquired within {@link #waitTime()} (else
 * {@link io.distlock.core.LockAcquisitionException} is thrown and the method does not run), the method
 * runs, and the lock is released when it returns or throws — for a method returning
 * {@code CompletionStage}/{@code CompletableFuture}, when that result completes. While the method runs,
 * the lease is renewed in the background; if a renewal fails, the method keeps running and
 * {@link io.distlock.core.LockContext#current()}'s {@code isHeld()} turns false.
 *
 * <p>Re-entrant: a call that already holds the lock (same thread, same name and key) enters at once and
 * keeps the fencing token; the outermost call releases. The lock's advice runs outside
 * {@code @Transactional}: the lock is taken before the transaction begins and released after it ends.
 *
 * <p>Malformed expressions or durations, negative waits, non-positive leases and {@code key} combined
 * with {@code keys} fail the application context at startup, naming the method.
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface DistributedLocked {

	/**
	 * The lock's namespace: two methods with the same name and the same key value exclude each other.
	 * Default: the declaring class's simple name, a dot, and the method name.
	 */
	String name() default "";

	/**
	 * SpEL expression for the key, evaluated per call against the arguments ({@code #order},
	 * {@code #p0}, {@code #a0}), {@code #root.method}, {@code #root.methodName}, {@code #root.target},
	 * {@code #root.targetClass}, {@code #root.args}, and beans ({@code @beanName}). {@code ""} means one
	 * lock for the whole name.
	 */
	String key() default "";

	/**
	 * SpEL expressions for several keys of this name, taken together (all or none) in a deadlock-free
	 * order; an expression may also yield a collection or array of keys. May not be combined with
	 * {@link #key()}.
	 */
	String[] keys() default {};

	/**
	 * How long a call waits for the lock: a duration literal ({@code 500ms}, {@code 2s}, {@code PT2S}; a
	 * bare number is milliseconds), a {@code ${property:default}} placeholder, or a SpEL expression whose
	 * value is a {@link java.time.Duration} or a number of milliseconds. {@code 0} means try once.
	 * {@code ""} uses {@code distributed-lock.wait-time}.
	 */
	String waitTime() default "";

	/**
	 * How long the lock outlives a silent holder (crash, partition, pause); same forms as
	 * {@link #waitTime()}. {@code ""} uses {@code distributed-lock.lease-time}.
	 */
	String leaseTime() default "";
}
