package io.distlock.local;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.distlock.core.Durations;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import org.jspecify.annotations.Nullable;

/**
 * Locks that live in this JVM's memory: exclusive between the threads and application contexts of one
 * JVM only. For tests, single-instance applications and the default when no backend client is present.
 *
 * <ul>
 * <li><b>One lock space per JVM</b>: every instance of this class (one per application context)
 * shares it, so two contexts of one JVM exclude each other.</li>
 * <li><b>Fencing tokens</b> strictly increase across the whole JVM and are seeded from the wall clock
 * in microseconds, so they keep rising across restarts of the application (as long as the clock does
 * not go back by more than the time between restarts).</li>
 * <li><b>Leases</b> expire by this JVM's monotonic clock, the only clock involved.</li>
 * <li><b>Waiting</b>: each lock has its own condition; a release wakes only that lock's waiters.</li>
 * <li><b>Fair</b> requests are served in arrival order; a non-fair request takes a free lock at once.</li>
 * <li><b>Minimum hold</b>: a release with a hold time keeps the lock until then.</li>
 * </ul>
 */
public class InMemoryLockProvider implements LockProvider {

	private static final Map<String, Slot> SPACE = new ConcurrentHashMap<>();

	private static final AtomicLong LAST_TOKEN = new AtomicLong();

	@Override
	public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
		String id = request.storageName() + '\u0000' + request.key();
		long deadline = Durations.deadlineAfter(request.waitTime());
		long leaseNanos = Durations.saturatedNanos(request.leaseTime());
		Slot slot = Slot.enter(id);
		try {
			return slot.acquire(request.fair(), deadline, leaseNanos);
		}
		finally {
			slot.leave();
		}
	}

	@Override
	public String backendName() {
		return "in-memory";
	}

	/** Fair requests are served in the order in which they arrived. */
	@Override
	public boolean supportsFairLocks() {
		return true;
	}

	@Override
	public Map<String, Object> checkHealth() {
		return Map.of("scope", "this JVM only", "locks", size());
	}

	/**
	 * Frees a lock whatever its holder, as an operator deleting a backend's record would: the holder's
	 * next renewal is refused and it learns that its lease is lost.
	 * @param storageName the stored name (key prefix + name)
	 * @return whether a lock was held
	 */
	public boolean evict(String storageName, String key) {
		Slot slot = SPACE.get(storageName + '\u0000' + key);
		return slot != null && slot.evict();
	}

	/** Returns the number of locks held now in this JVM, by any instance (for tests and health). */
	public int size() {
		int held = 0;
		for (Slot slot : SPACE.values()) {
			if (slot.isHeld()) {
				held++;
			}
		}
		return held;
	}

	/** Returns a token larger than every earlier one, and at least the wall clock in microseconds. */
	private static long nextToken() {
		long now = System.currentTimeMillis() * 1000;
		return LAST_TOKEN.updateAndGet((last) -> Math.max(last + 1, now));
	}

	/** One lock: its holder, its waiters (in arrival order, for fair requests) and its own condition. */
	private static final class Slot {

		private final String id;

		private final ReentrantLock monitor = new ReentrantLock();

		private final Condition changed = this.monitor.newCondition();

		private final ArrayDeque<Object> fairQueue = new ArrayDeque<>();

		/** Callers inside {@link #acquire} and leases not yet ended: the slot stays in the space while any exists. */
		private final AtomicInteger users = new AtomicInteger();

		private @Nullable Holder holder; // guarded by monitor

		private Slot(String id) {
			this.id = id;
		}

		static Slot enter(String id) {
			return SPACE.compute(id, (k, existing) -> {
				Slot slot = (existing != null) ? existing : new Slot(k);
				slot.users.incrementAndGet();
				return slot;
			});
		}

		/**
		 * Drops one user; the slot leaves the space once it has none and is not held (a lock kept for its
		 * minimum hold time stays until a later caller finds it expired). Lock order: the space's compute
		 * lock, then the monitor; code holding the monitor never touches the space.
		 */
		void leave() {
			SPACE.computeIfPresent(this.id, (k, slot) -> {
				if (slot != this) {
					return slot;
				}
				return (slot.users.decrementAndGet() == 0 && !slot.isHeld()) ? null : slot;
			});
		}

		boolean isHeld() {
			this.monitor.lock();
			try {
				return this.holder != null && this.holder.expiresAt - System.nanoTime() > 0;
			}
			finally {
				this.monitor.unlock();
			}
		}

		Optional<LockLease> acquire(boolean fair, long deadline, long leaseNanos) throws InterruptedException {
			Object ticket = new Object();
			this.monitor.lockInterruptibly();
			try {
				if (fair) {
					this.fairQueue.addLast(ticket);
				}
				try {
					while (true) {
						long now = System.nanoTime();
						boolean free = this.holder == null || this.holder.expiresAt - now <= 0;
						boolean ourTurn = !fair || this.fairQueue.peekFirst() == ticket;
						if (free && ourTurn) {
							this.holder = new Holder(nextToken(), now + leaseNanos);
							this.users.incrementAndGet(); // the lease refers to this slot until it ends (we are a user: no race)
							return Optional.of(new Lease(this, this.holder, now));
						}
						long remaining = Durations.remainingNanos(deadline);
						if (remaining <= 0) {
							return Optional.empty();
						}
						long untilExpiry = (this.holder != null) ? Math.max(1, this.holder.expiresAt - now) : remaining;
						this.changed.awaitNanos(Math.min(remaining, untilExpiry));
					}
				}
				finally {
					if (fair && this.fairQueue.remove(ticket)) {
						this.changed.signalAll(); // the next in line may be able to go now
					}
				}
			}
			finally {
				this.monitor.unlock();
			}
		}

		/** Ends {@code holder}'s hold {@code keepNanos} from now (0: at once); {@code false} if it is not the holder. */
		boolean end(Holder ended, long keepNanos) {
			this.monitor.lock();
			try {
				if (this.holder != ended || ended.released) {
					return false;
				}
				ended.released = true;
				if (keepNanos <= 0) {
					this.holder = null;
					this.changed.signalAll();
				}
				else {
					ended.expiresAt = System.nanoTime() + keepNanos;
				}
			}
			finally {
				this.monitor.unlock();
			}
			return true;
		}

		boolean evict() {
			this.monitor.lock();
			try {
				boolean held = this.holder != null && this.holder.expiresAt - System.nanoTime() > 0;
				this.holder = null;
				this.changed.signalAll();
				return held;
			}
			finally {
				this.monitor.unlock();
			}
		}

		boolean renew(Holder renewed, long leaseNanos) {
			this.monitor.lock();
			try {
				long now = System.nanoTime();
				if (this.holder != renewed || renewed.released || renewed.expiresAt - now <= 0) {
					return false;
				}
				renewed.expiresAt = now + leaseNanos;
				return true;
			}
			finally {
				this.monitor.unlock();
			}
		}
	}

	private static final class Holder {

		final long token;

		long expiresAt; // guarded by the slot's monitor

		boolean released; // guarded by the slot's monitor

		Holder(long token, long expiresAt) {
			this.token = token;
			this.expiresAt = expiresAt;
		}
	}

	private static final class Lease implements LockLease {

		private final Slot slot;

		private final Holder holder;

		private final long acquiredAt;

		private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

		Lease(Slot slot, Holder holder, long acquiredAt) {
			this.slot = slot;
			this.holder = holder;
			this.acquiredAt = acquiredAt;
		}

		@Override
		public long fencingToken() {
			return this.holder.token;
		}

		@Override
		public long acquiredAtNanos() {
			return this.acquiredAt;
		}

		@Override
		public boolean renew(Duration leaseTime) {
			return this.slot.renew(this.holder, Durations.saturatedNanos(leaseTime));
		}

		@Override
		public void release() {
			end(0);
		}

		@Override
		public boolean releaseAfter(Duration holdFor) {
			end(Durations.saturatedNanos(holdFor));
			return true;
		}

		private void end(long keepNanos) {
			this.slot.end(this.holder, keepNanos);
			if (this.ended.compareAndSet(false, true)) {
				this.slot.leave();
			}
		}
	}
}
