package io.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Wakes the waiters of this provider when their lock is released, from ONE subscription to the
 * release channel shared by all of them (not one per waiter). The subscription is made the first time
 * someone waits. A waiter registers before its next acquire attempt, so a release that happens after
 * that attempt cannot be missed while the subscription is up; when it is not (Redis away, reconnecting),
 * waiters fall back to the lock's time to live, and every waiter is woken when it comes back.
 */
final class ReleaseNotifications implements RedisGateway.ReleaseListener {

	private static final Log logger = LogFactory.getLog(ReleaseNotifications.class);

	private static final long RETRY_SUBSCRIBE_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final RedisGateway redis;

	private final String channel;

	private final ConcurrentHashMap<String, List<Waiter>> waiters = new ConcurrentHashMap<>();

	private volatile boolean subscribed;

	private volatile long nextAttemptNanos = System.nanoTime();

	ReleaseNotifications(RedisGateway redis, String channel) {
		this.redis = redis;
		this.channel = channel;
	}

	/**
	 * Registers a waiter for {@code lockKey}; close it when done. The first waiter subscribes, waiting
	 * at most {@code subscribeTimeout} (bounded by the caller's wait) for the subscription.
	 */
	Waiter register(String lockKey, Duration subscribeTimeout) {
		ensureSubscribed(subscribeTimeout);
		Waiter waiter = new Waiter(lockKey);
		this.waiters.compute(lockKey, (k, list) -> {
			List<Waiter> copy = (list != null) ? new ArrayList<>(list) : new ArrayList<>(1);
			copy.add(waiter);
			return copy;
		});
		return waiter;
	}

	/** Whether releases are being delivered now; if not, waiters must not rely on them. */
	boolean isSubscribed() {
		return this.subscribed;
	}

	private void ensureSubscribed(Duration timeout) {
		if (this.subscribed || System.nanoTime() - this.nextAttemptNanos < 0) {
			return;
		}
		synchronized (this) {
			if (this.subscribed || System.nanoTime() - this.nextAttemptNanos < 0) {
				return;
			}
			try {
				this.redis.subscribe(this.channel, this, timeout);
				this.subscribed = true;
			}
			catch (RuntimeException ex) {
				this.nextAttemptNanos = System.nanoTime() + RETRY_SUBSCRIBE_NANOS;
				logger.debug("Could not subscribe to the lock release channel '" + this.channel + "'; waiters poll meanwhile", ex);
			}
		}
	}

	@Override
	public void released(String lockKey) {
		List<Waiter> list = this.waiters.get(lockKey);
		if (list != null) {
			list.forEach(Waiter::wake);
		}
	}

	@Override
	public void subscribed() {
		this.subscribed = true;
		this.waiters.values().forEach((list) -> list.forEach(Waiter::wake));
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
