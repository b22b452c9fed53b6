package io.distlock.redis;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Declares a lease lost, from the backend's side, when a renewal of it stays unconfirmed for
 * {@link RedisLease#LOSS_FRACTION_NUMERATOR 3/4} of the lease: earlier than the core's own deadline,
 * so the backend is the one that ends it. Ending it sends an owner-checked release on the command
 * connection, which on Lettuce runs after every renewal still queued or delayed on that connection:
 * a renewal that arrives late extends the lock for a moment, and the release right behind it frees
 * it. So a lease the holder was told is lost is never kept alive by a renewal sent before.
 *
 * <p>Only leases with a renewal in flight are watched; the sweep runs every {@value #SWEEP_MILLIS} ms
 * while there are any, on the provider's timer.
 */
final class LeaseWatch {

	static final long SWEEP_MILLIS = 50;

	private final Set<RedisLease> unconfirmed = ConcurrentHashMap.newKeySet();

	private final Supplier<ScheduledExecutorService> scheduler;

	private @Nullable ScheduledFuture<?> sweeper;

	LeaseWatch(Supplier<ScheduledExecutorService> scheduler) {
		this.scheduler = scheduler;
	}

	/** A renewal of {@code lease} was sent: watch it until one is confirmed. */
	void renewalSent(RedisLease lease) {
		this.unconfirmed.add(lease);
		ensureSweeping();
	}

	/** A renewal of {@code lease} was confirmed, refused, or the lease ended. */
	void settled(RedisLease lease) {
		this.unconfirmed.remove(lease);
	}

	private synchronized void ensureSweeping() {
		if (this.sweeper == null) {
			this.sweeper = this.scheduler.get().scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
		}
	}

	private void sweep() {
		long now = System.nanoTime();
		for (RedisLease lease : this.unconfirmed) {
			if (!lease.isLive()) {
				this.unconfirmed.remove(lease);
			}
			else if (lease.isPastLossDeadline(now)) {
				this.unconfirmed.remove(lease);
				lease.declareLost();
			}
		}
		synchronized (this) {
			if (this.unconfirmed.isEmpty() && this.sweeper != null) {
				this.sweeper.cancel(false);
				this.sweeper = null;
				// a lease added since the emptiness check restarts it
				if (!this.unconfirmed.isEmpty()) {
					ensureSweeping();
				}
			}
		}
	}
}
