package io.distlock.local;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.distlock.core.Durations;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;

/**
 * Locks that live in this JVM's memory: exclusive between the threads and application contexts of one
 * JVM only. For tests, single-instance applications and the default when no backend client is present.
 *
 * <p>Leases expire by this JVM's monotonic clock (the only clock involved); fencing tokens come from
 * one counter and strictly increase for every acquisition. Waiters sleep on a condition and are woken
 * by each release, or when the current holder's lease ends.
 */
public class InMemoryLockProvider implements LockProvider {

	private final ReentrantLock monitor = new ReentrantLock();

	private final Condition changed = this.monitor.newCondition();

	private final Map<String, Entry> locks = new HashMap<>();

	private final AtomicLong tokens = new AtomicLong();

	@Override
	public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
		String id = request.storageName() + '\u0000' + request.key();
		long deadline = Durations.deadlineAfter(request.waitTime());
		this.monitor.lockInterruptibly();
		try {
			while (true) {
				long now = System.nanoTime();
				Entry current = this.locks.get(id);
				if (current == null || current.expiresAt - now <= 0) {
					Entry entry = new Entry(this.tokens.incrementAndGet(), now + Durations.saturatedNanos(request.leaseTime()));
					this.locks.put(id, entry);
					return Optional.of(new Lease(id, entry, now));
				}
				long waitNanos = Math.min(Durations.remainingNanos(deadline), current.expiresAt - now);
				if (Durations.remainingNanos(deadline) <= 0) {
					return Optional.empty();
				}
				this.changed.awaitNanos(waitNanos);
			}
		}
		finally {
			this.monitor.unlock();
		}
	}

	@Override
	public String backendName() {
		return "in-memory";
	}

	/** Returns the number of locks currently stored, expired or not (for tests). */
	public int size() {
		this.monitor.lock();
		try {
			this.locks.values().removeIf((e) -> e.expiresAt - System.nanoTime() <= 0);
			return this.locks.size();
		}
		finally {
			this.monitor.unlock();
		}
	}

	private static final class Entry {

		final long token;

		long expiresAt;

		Entry(long token, long expiresAt) {
			this.token = token;
			this.expiresAt = expiresAt;
		}
	}

	private final class Lease implements LockLease {

		private final String id;

		private final Entry entry;

		private final long acquiredAt;

		Lease(String id, Entry entry, long acquiredAt) {
			this.id = id;
			this.entry = entry;
			this.acquiredAt = acquiredAt;
		}

		@Override
		public long fencingToken() {
			return this.entry.token;
		}

		@Override
		public long acquiredAtNanos() {
			return this.acquiredAt;
		}

		@Override
		public boolean renew(Duration leaseTime) {
			InMemoryLockProvider.this.monitor.lock();
			try {
				long now = System.nanoTime();
				if (InMemoryLockProvider.this.locks.get(this.id) != this.entry || this.entry.expiresAt - now <= 0) {
					return false;
				}
				this.entry.expiresAt = now + Durations.saturatedNanos(leaseTime);
				return true;
			}
			finally {
				InMemoryLockProvider.this.monitor.unlock();
			}
		}

		@Override
		public void release() {
			InMemoryLockProvider.this.monitor.lock();
			try {
				if (InMemoryLockProvider.this.locks.remove(this.id, this.entry)) {
					InMemoryLockProvider.this.changed.signalAll();
				}
			}
			finally {
				InMemoryLockProvider.this.monitor.unlock();
			}
		}
	}
}
