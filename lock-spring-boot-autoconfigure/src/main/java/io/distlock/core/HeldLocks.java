package io.distlock.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Re-entry bookkeeping: the locks the current thread holds, by lock id, with a depth count. A call
 * that already holds a lock re-enters it without asking the backend, keeping its fencing token; the
 * outermost level releases it. Entries are created by the thread that acquires, but may be ended
 * from another thread (an async method completing), so each entry remembers its map.
 */
final class HeldLocks {

	private final ThreadLocal<Map<String, Entry>> held = ThreadLocal.withInitial(ConcurrentHashMap::new);

	/** Returns a new level of the lock if the current thread holds it, else {@code null}. */
	LockHandle reenter(String lockId) {
		Map<String, Entry> map = this.held.get();
		Entry entry = map.get(lockId);
		if (entry == null) {
			return null;
		}
		synchronized (entry) {
			if (!entry.root.isHeld() || entry.depth.get() == 0) {
				return null;
			}
			entry.depth.incrementAndGet();
		}
		return new Level(entry);
	}

	/** Records a fresh acquisition by the current thread and returns its outermost level. */
	LockHandle register(String lockId, ManagedLockHandle root) {
		Map<String, Entry> map = this.held.get();
		Entry entry = new Entry(lockId, root, map);
		map.put(lockId, entry);
		root.onRelease(entry::forget);
		return new Level(entry);
	}

	/**
	 * Forgets every lock the current thread holds for re-entry, without releasing them: used when an
	 * async invocation leaves the thread while its lock stays held until its result completes.
	 */
	void detach(LockHandle handle) {
		if (handle instanceof Level level) {
			level.entry.forget();
		}
	}

	private static final class Entry {

		final String lockId;

		final ManagedLockHandle root;

		final Map<String, Entry> map;

		final AtomicInteger depth = new AtomicInteger(1);

		Entry(String lockId, ManagedLockHandle root, Map<String, Entry> map) {
			this.lockId = lockId;
			this.root = root;
			this.map = map;
		}

		void forget() {
			// the map belongs to the acquiring thread, but an async release may come from another one
			this.map.remove(this.lockId, this);
		}

		void exit() {
			boolean last;
			synchronized (this) {
				last = this.depth.decrementAndGet() == 0;
			}
			if (last) {
				this.root.release();
			}
		}
	}

	/** One level of a (possibly re-entered) lock. */
	private static final class Level implements LockHandle {

		private final Entry entry;

		private final AtomicBoolean closed = new AtomicBoolean();

		Level(Entry entry) {
			this.entry = entry;
		}

		@Override
		public String name() {
			return this.entry.root.request().name();
		}

		@Override
		public String key() {
			return this.entry.root.request().key();
		}

		@Override
		public long fencingToken() {
			return this.entry.root.fencingToken();
		}

		@Override
		public boolean isHeld() {
			return !this.closed.get() && this.entry.root.isHeld();
		}

		@Override
		public void close() {
			if (this.closed.compareAndSet(false, true)) {
				this.entry.exit();
			}
		}

		@Override
		public String toString() {
			return "LockHandle[" + this.entry.root.request().describe() + ", token " + fencingToken()
					+ (isHeld() ? ", held]" : ", not held]");
		}
	}
}
