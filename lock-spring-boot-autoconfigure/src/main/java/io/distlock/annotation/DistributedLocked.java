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
 * <p>Per call: the key is evaluated (a {@code null} or empty key, an empty set of keys, or a key object
 * whose class keeps {@code Object.toString()} throws {@link IllegalArgumentException} and the method does
 * not run), the lock is acquired within {@link #waitTime()} (else
 * {@link io.distlock.core.LockAcquisitionException} is thrown, or {@link #whenLocked()} or
 * {@link #fallback()} decide, and the method does not run), the method runs, and the lock is released
 * when it returns or throws (for asynchronous and reactive results, see below). While the method runs,
 * the lease is renewed in the background; if a renewal fails, the method keeps running and
 * {@link io.distlock.core.LockContext#current()}'s {@code isHeld()} turns false.
 *
 * <p>Re-entrant: a call that already holds the lock (same thread, same name and key) enters at once and
 * keeps the fencing token; the outermost call releases. The lock's advice runs outside
 * {@code @Transactional}: the lock is taken before the transaction begins and released after it ends.
 *
 * <p>For a method returning a type that Spring's {@code ReactiveAdapterRegistry} adapts ({@code Mono},
 * {@code Flux}, RxJava types, Kotlin {@code Flow}) and for a Kotlin {@code suspend} function, the lock
 * is taken per subscription: nothing is acquired when the method is called; each subscription acquires
 * the lock without blocking, calls the method under it and releases the lock before the subscriber
 * sees completion or error, or on cancellation. The method's publisher finds the lock's
 * {@link io.distlock.core.LockHandle} (for its fencing token) in the Reactor {@code Context} under the key
 * {@code LockHandle.class} (in Kotlin: the coroutine's {@code ReactorContext}). Such a result whose
 * lease is lost ends with {@link io.distlock.core.LockLostException}. A method returning
 * {@code CompletionStage} acquires without blocking the caller too and holds the lock until its result
 * completes; cancelling the returned future releases it. Asynchronous and reactive calls never re-enter a lock that the calling
 * thread holds: they wait for it like any other holder.
 *
 * <p>Malformed expressions or durations, negative waits, non-positive leases, {@code key} combined
 * with {@code keys}, final/private/static methods and methods a JDK proxy cannot reach, an unfit
 * {@link #fallback()}, {@code SKIP} on a result without an empty value, and {@link #fair()} on a backend
 * that cannot do it fail the application context at startup, naming the method.
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

	/**
	 * What the call does when the lock stays taken for the whole {@link #waitTime()}: {@link WhenLocked#FAIL}
	 * (throw {@link io.distlock.core.LockAcquisitionException}, the default) or {@link WhenLocked#SKIP}
	 * (return the return type's empty value without running the method). A backend failure always
	 * throws. May not be combined with {@link #fallback()}.
	 */
	WhenLocked whenLocked() default WhenLocked.FAIL;

	/**
	 * The name of a method of the same bean that produces the call's result whenever the lock is not
	 * acquired, for a timeout and for a backend failure alike. It takes the annotated method's
	 * parameters, optionally followed by a {@link io.distlock.core.LockAcquisitionException} parameter,
	 * and returns a type assignable to the annotated method's return type (for a reactive or
	 * asynchronous method: the same kind of result). It is called on the bean itself, not through its
	 * proxy, so it is not locked. A missing or incompatible method fails startup naming both methods.
	 * {@code ""} means none. May not be combined with {@code whenLocked = SKIP}.
	 */
	String fallback() default "";

	/**
	 * The least time the lock stays taken after it was acquired, even when the method returns earlier;
	 * the caller is not delayed. Same forms as {@link #waitTime()}; {@code ""} means none. On Redis and
	 * JDBC the backend keeps the lock until then by its own clock, so a holder that dies right after the
	 * method returned cannot shorten it. Typical use: a scheduled job that must not run twice in one
	 * window on instances whose clocks or schedules are slightly apart.
	 */
	String minHoldTime() default "";

	/**
	 * Whether callers of all instances acquire this lock in the order in which they started waiting.
	 * A backend that cannot grant fair locks fails startup naming the method and the backend.
	 */
	boolean fair() default false;
}
