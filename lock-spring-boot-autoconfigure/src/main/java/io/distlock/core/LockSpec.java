package io.distlock.core;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What to lock and how, for {@link LockTemplate}: a name, a key, and optionally a wait time, a lease
 * time, a minimum hold time and fairness. Immutable; each {@code with}-style method returns a copy.
 *
 * <pre class="code">
 * LockSpec spec = LockSpec.of("report").key("daily").waitTime(Duration.ZERO).minHoldTime(Duration.ofMinutes(5));
 * </pre>
 *
 * <p>A wait or lease time left {@code null} takes the template's default. The minimum hold time keeps
 * the lock taken until at least that long after it was acquired, even when it is released earlier
 * (the caller is not delayed). {@code fair} asks for first-come-first-served order across instances;
 * the template rejects it on a backend that cannot provide it.
 */
public final class LockSpec {

	private final String name;

	private final String key;

	private final @Nullable Duration waitTime;

	private final @Nullable Duration leaseTime;

	private final Duration minHoldTime;

	private final boolean fair;

	private LockSpec(String name, @Nullable String key, @Nullable Duration waitTime, @Nullable Duration leaseTime,
			@Nullable Duration minHoldTime, boolean fair) {
		this.name = Objects.requireNonNull(name, "name");
		this.key = (key != null) ? key : "";
		this.waitTime = waitTime;
		this.leaseTime = leaseTime;
		this.minHoldTime = (minHoldTime != null) ? minHoldTime : Duration.ZERO;
		this.fair = fair;
		if (this.minHoldTime.isNegative()) {
			throw new IllegalArgumentException("minHoldTime must not be negative for lock " + LockRequest.describe(name, this.key)
					+ ": " + minHoldTime);
		}
	}

	/** Returns a spec for the lock {@code name} on the whole name (key {@code ""}), with the template's defaults. */
	public static LockSpec of(String name) {
		return new LockSpec(name, "", null, null, Duration.ZERO, false);
	}

	/**
	 * Returns a spec for the lock {@code name} and {@code key} ({@code null} or {@code ""}: the whole name), with
	 * the template's defaults.
	 */
	public static LockSpec of(String name, @Nullable String key) {
		return new LockSpec(name, key, null, null, Duration.ZERO, false);
	}

	/** Returns a copy with another key ({@code null} or {@code ""}: the whole name). */
	public LockSpec key(@Nullable String key) {
		return new LockSpec(this.name, key, this.waitTime, this.leaseTime, this.minHoldTime, this.fair);
	}

	/** Returns a copy with a wait time ({@code null}: the template's default; zero: try once). */
	public LockSpec waitTime(@Nullable Duration waitTime) {
		return new LockSpec(this.name, this.key, waitTime, this.leaseTime, this.minHoldTime, this.fair);
	}

	/** Returns a copy with a lease time ({@code null}: the template's default). */
	public LockSpec leaseTime(@Nullable Duration leaseTime) {
		return new LockSpec(this.name, this.key, this.waitTime, leaseTime, this.minHoldTime, this.fair);
	}

	/** Returns a copy with a minimum hold time ({@code null} or zero: none). */
	public LockSpec minHoldTime(@Nullable Duration minHoldTime) {
		return new LockSpec(this.name, this.key, this.waitTime, this.leaseTime, minHoldTime, this.fair);
	}

	/** Returns a copy that asks for a fair (first-come-first-served) lock, or not. */
	public LockSpec fair(boolean fair) {
		return new LockSpec(this.name, this.key, this.waitTime, this.leaseTime, this.minHoldTime, fair);
	}

	/** Returns the lock's name. */
	public String name() {
		return this.name;
	}

	/** Returns the lock's key ({@code ""} for the whole name). */
	public String key() {
		return this.key;
	}

	/** Returns the wait time, or {@code null} for the template's default. */
	public @Nullable Duration waitTime() {
		return this.waitTime;
	}

	/** Returns the lease time, or {@code null} for the template's default. */
	public @Nullable Duration leaseTime() {
		return this.leaseTime;
	}

	/** Returns the minimum hold time; zero for none. */
	public Duration minHoldTime() {
		return this.minHoldTime;
	}

	/** Whether the lock is fair. */
	public boolean fair() {
		return this.fair;
	}

	@Override
	public String toString() {
		return "LockSpec[" + LockRequest.describe(this.name, this.key) + ", wait=" + this.waitTime + ", lease=" + this.leaseTime
				+ ", minHold=" + this.minHoldTime + ", fair=" + this.fair + "]";
	}
}
