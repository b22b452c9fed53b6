package io.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Wakes the waiters of this provider when their lock is released, from ONE subscription to the
 * release channel shared by all of them (not one per waiter), made the first time someone waits and
 * kept up from then on. Waiters never depend on it alone:
 * <ul>
 * <li>while it is up, a waiter still looks again at least every {@value #POLL_SUBSCRIBED_MILLIS} ms,
 * so a lost message delays it by about a second at most;</li>
 * <li>a dead subscription is noticed by Lettuce's disconnect events and, for one that is silently
 * dead (a half-open connection), by a {@code PING} on it every second that must be answered within the
 * command timeout; it is then closed and made anew, and waiters poll every
 * {@value #POLL_UNSUBSCRIBED_MILLIS} ms until it is back;</li>
 * <li>when it comes back, every waiter looks at once (releases may have been missed);</li>
 * <li>a user without rights to the channel ({@code NOPERM}) gets one WARN; waiters then poll, and the
 * subscription is tried again every few minutes, quietly.</li>
 * </ul>
 * A waiter registers before its next acquire attempt, so a release after that attempt cannot be missed
 * while the subscription is up. On a Cluster the gateway also subscribes on every master, so that a
 * release reaches this provider straight from the node that ran it rather than through the cluster
 * bus; the copies that the bus still brings are dropped.
 */
final class ReleaseNotifications implements RedisGateway.ReleaseListener {

	private static final Log logger = LogFactory.getLog(ReleaseNotifications.class);

	static final long POLL_SUBSCRIBED_MILLIS = 1000;

	static final long POLL_UNSUBSCRIBED_MILLIS = 100;

	private static final long TICK_MILLIS = 100;

	private static final int RECENT_MESSAGES = 1024;

	private static final long PING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final long RETRY_WITHOUT_PERMISSION_NANOS = TimeUnit.MINUTES.toNanos(5);

	/** What the subscription is doing; {@link #label} is shown in health details. */
	enum State {

		/** Nobody has waited yet: no subscription needed. */
		IDLE("idle"),
		/** Releases are delivered. */
		SUBSCRIBED("subscribed"),
		/** Not subscribed now (connecting, reconnecting, or found dead): waiters poll. */
		DOWN("down"),
		/** The Redis user may not use the channel: waiters poll. */
		NO_PERMISSION("no-permission");

		final String label;

		State(String label) {
			this.label = label;
		}
	}

	private final RedisGateway redis;

	private final String channel;

	private final Duration timeout;

	private final Supplier<ScheduledExecutorService> scheduler;

	private final ConcurrentHashMap<String, List<Waiter>> waiters = new ConcurrentHashMap<>();

	/** On a Cluster only, where each message arrives once from every master. */
	private final @Nullable RecentMessages recent;

	private volatile State state = State.IDLE;

	/** When the subscription was last (re)made: a ping sent before belongs to an older connection. */
	private volatile long subscribedAtNanos = System.nanoTime();

	private @Nullable ScheduledFuture<?> monitor;

	private long nextAttemptNanos;

	private @Nullable CompletableFuture<Void> ping;

	private long pingSentAtNanos;

	private boolean warnedNoPermission;

	private volatile boolean closed;

	/**
	 * @param redis the gateway
	 * @param channel the release channel
	 * @param timeout how long a subscription attempt, or the answer to a ping, may take
	 * @param scheduler the provider's timer, created on first use
	 */
	ReleaseNotifications(RedisGateway redis, String channel, Duration timeout, Supplier<ScheduledExecutorService> scheduler) {
		this.redis = redis;
		this.channel = channel;
		this.timeout = timeout;
		this.scheduler = scheduler;
		this.recent = redis.isCluster() ? new RecentMessages(RECENT_MESSAGES) : null;
	}

	/** Registers a waiter for {@code lockKey}; close it when done. Never blocks. */
	Waiter register(String lockKey) {
		start();
		Waiter waiter = new Waiter(lockKey);
		this.waiters.compute(lockKey, (k, list) -> {
			List<Waiter> copy = (list != null) ? new ArrayList<>(list) : new ArrayList<>(1);
			copy.add(waiter);
			return copy;
		});
		return waiter;
	}

	/** The longest a waiter may sleep before it looks again, whatever the lock's time to live. */
	long pollNanos() {
		return TimeUnit.MILLISECONDS.toNanos((this.state == State.SUBSCRIBED) ? POLL_SUBSCRIBED_MILLIS : POLL_UNSUBSCRIBED_MILLIS);
	}

	/** What the subscription does now, for health details. */
	State state() {
		return this.state;
	}

	private synchronized void start() {
		if (this.monitor == null && !this.closed) {
			this.monitor = this.scheduler.get().scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
		}
	}

	/** Runs on the provider's timer: (re)subscribes when needed, pings while subscribed. */
	private synchronized void tick() {
		try {
			if (this.closed) {
				return;
			}
			long now = System.nanoTime();
			if (this.state == State.SUBSCRIBED) {
				checkPing(now);
			}
			else if (now - this.nextAttemptNanos >= 0) {
				trySubscribe(now);
			}
		}
		catch (Throwable ex) {
			// never let the timer die: the next tick tries again
			logger.debug("Release subscription check failed", ex);
		}
	}

	private void trySubscribe(long now) {
		try {
			this.redis.subscribe(this.channel, this, this.timeout);
			subscribed();
		}
		catch (RuntimeException ex) {
			if (isNoPermission(ex)) {
				this.state = State.NO_PERMISSION;
				this.nextAttemptNanos = now + RETRY_WITHOUT_PERMISSION_NANOS;
				if (!this.warnedNoPermission) {
					this.warnedNoPermission = true;
					logger.warn("The Redis user may not subscribe to the lock release channel '" + this.channel + "' (" + rootMessage(ex)
							+ "): waiting callers poll every " + POLL_UNSUBSCRIBED_MILLIS + " ms instead of being notified. Grant the "
							+ "channel to the user (ACL SETUSER <user> &" + this.channel + ") or set distributed-lock.redis.channel "
							+ "to a channel it may use.");
				}
			}
			else {
				this.state = State.DOWN;
				this.nextAttemptNanos = now + RETRY_NANOS;
				logger.debug("Could not subscribe to the lock release channel '" + this.channel + "'; waiters poll meanwhile", ex);
			}
		}
	}

	private void checkPing(long now) {
		CompletableFuture<Void> last = this.ping;
		if (last != null && this.pingSentAtNanos - this.subscribedAtNanos < 0) {
			last = null; // sent on the connection before the last reconnect
		}
		if (last != null && !last.isDone()) {
			if (now - this.pingSentAtNanos > this.timeout.toNanos()) {
				lost("no answer to a ping within " + this.timeout.toMillis() + " ms");
			}
			return;
		}
		if (last != null && last.isCompletedExceptionally()) {
			lost("a ping failed: " + last.handle((ok, error) -> rootMessage(error)).join());
			return;
		}
		if (last == null || now - this.pingSentAtNanos >= PING_INTERVAL_NANOS) {
			this.pingSentAtNanos = now;
			this.ping = this.redis.pingSubscription();
		}
	}

	private void lost(String reason) {
		logger.warn("The subscription to the lock release channel '" + this.channel + "' is dead (" + reason
				+ "); waiting callers poll every " + POLL_UNSUBSCRIBED_MILLIS + " ms while it is made anew");
		this.state = State.DOWN;
		this.ping = null;
		this.nextAttemptNanos = System.nanoTime();
		this.redis.dropSubscription();
	}

	/**
	 * Wakes the waiters of the released lock. A message is the lock key and the releasing owner,
	 * separated by the last line feed (the owner has none); a message without one is the lock key alone.
	 * On a Cluster, copies of a message are dropped.
	 */
	@Override
	public void released(String message) {
		int separator = message.lastIndexOf('\n');
		if (separator >= 0 && this.recent != null && !this.recent.firstSight(message)) {
			return;
		}
		String lockKey = (separator >= 0) ? message.substring(0, separator) : message;
		List<Waiter> list = this.waiters.get(lockKey);
		if (list != null) {
			list.forEach(Waiter::wake);
		}
	}

	@Override
	public void subscribed() {
		if (this.state != State.SUBSCRIBED) {
			this.subscribedAtNanos = System.nanoTime();
			this.state = State.SUBSCRIBED;
			this.waiters.values().forEach((list) -> list.forEach(Waiter::wake));
		}
	}

	@Override
	public void disconnected() {
		if (this.state == State.SUBSCRIBED) {
			this.state = State.DOWN;
		}
	}

	/** Stops the checks; the gateway closes the connection. */
	synchronized void close() {
		this.closed = true;
		if (this.monitor != null) {
			this.monitor.cancel(false);
		}
	}

	private static boolean isNoPermission(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t.getMessage() != null && t.getMessage().contains("NOPERM")) {
				return true;
			}
		}
		return false;
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return String.valueOf(root.getMessage());
	}

	/** One waiting acquire. */
	final class Waiter implements AutoCloseable {

		private final String lockKey;

		private final Semaphore signal = new Semaphore(0);

		private Waiter(String lockKey) {
			this.lockKey = lockKey;
		}

		/** Forgets earlier wake-ups: call before each attempt. */
		void clear() {
			this.signal.drainPermits();
		}

		/** Waits until woken or {@code nanos} elapsed. */
		void await(long nanos) throws InterruptedException {
			this.signal.tryAcquire(nanos, TimeUnit.NANOSECONDS);
		}

		private void wake() {
			if (this.signal.availablePermits() == 0) {
				this.signal.release();
			}
		}

		@Override
		public void close() {
			ReleaseNotifications.this.waiters.computeIfPresent(this.lockKey, (k, list) -> {
				List<Waiter> copy = new ArrayList<>(list);
				copy.remove(this);
				return copy.isEmpty() ? null : copy;
			});
		}
	}
}
