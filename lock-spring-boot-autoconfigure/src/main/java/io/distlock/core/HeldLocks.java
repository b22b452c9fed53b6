package io.distlock.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * The acquisitions of one template: all of them (for listing and shutdown), and, per thread, those
 * that thread may re-enter.
 *
 * <p>Re-entry: a thread that holds a lock through a level it opened itself re-enters it without asking
 * the backend, keeping the fencing token; the lock is released when its last level closes. The
 * thread's entry lives exactly as long as the level that created it is open and attached to the
 * thread: closing that level, or {@link #detach detaching} it (an async call that leaves the thread),
 * removes the entry, and nothing else does. So an async call never removes an outer call's entry, and
 * a thread never re-enters a lock that only an async call still holds.
 */
final class HeldLocks {

	/** Per thread: lock id to the entry that thread may re-enter. Created lazily (virtual threads are many). */
	private final ThreadLocal<Map<String, ThreadEntry>> byThread = new ThreadLocal<>();

	private final Set<Acquisition> all = ConcurrentHashMap.newKeySet();

	/** Returns a new level of the lock if the current thread holds it, else {@code null}. */
	@Nullable LockHandle reenter(String lockId) {
		Map<String, ThreadEntry> map = this.byThread.get();
		if (map == null) {
			return null;
		}
		ThreadEntry entry = map.get(lockId);
		if (entry == null) {
			return null;
		}
		if (!entry.acquisition.enter()) {
			map.remove(lockId, entry); // lost: the thread must acquire anew
			return null;
		}
		return new Level(entry.acquisition, null);
	}

	/**
	 * Tracks a fresh acquisition and, if {@code lockId} is not null, registers it for re-entry by the
	 * current thread. Never throws (called last in the acquisition pipeline).
	 * @return the outermost level
	 */
	LockHandle register(@Nullable String lockId, Acquisition acquisition) {
		this.all.add(acquisition);
		acquisition.onEnd(() -> this.all.remove(acquisition));
		if (lockId == null) {
			return new Level(acquisition, null);
		}
		Map<String, ThreadEntry> map = this.byThread.get();
		if (map == null) {
			map = new ConcurrentHashMap<>();
			this.byThread.set(map);
		}
		ThreadEntry entry = new ThreadEntry(map, lockId, acquisition);
		map.put(lockId, entry);
		return new Level(acquisition, entry);
	}

	/**
	 * Stops treating the lock of {@code handle} as held by the thread that opened this level, without
	 * releasing it. Only the level that registered the thread's entry has one to remove: detaching a
	 * re-entered level changes nothing, since an outer level on that thread still holds the lock.
	 */
	void detach(LockHandle handle) {
		if (handle instanceof Level level && level.entry != null) {
			level.entry.forget();
		}
	}

	/**
	 * Lets the current thread re-enter the locks of {@code handles} until the returned scope closes,
	 * without taking over their release: for the stretch in which an asynchronous call's method body
	 * runs on this thread. A lock the thread may re-enter already keeps its entry.
	 */
	LockContext.Scope attach(Collection<LockHandle> handles) {
		Map<String, ThreadEntry> map = this.byThread.get();
		if (map == null) {
			map = new ConcurrentHashMap<>();
			this.byThread.set(map);
		}
		List<ThreadEntry> added = new ArrayList<>(handles.size());
		for (LockHandle handle : handles) {
			if (handle instanceof Level level) {
				Acquisition acquisition = level.acquisition;
				String lockId = LockTemplate.lockId(acquisition.request());
				ThreadEntry entry = new ThreadEntry(map, lockId, acquisition);
				if (map.putIfAbsent(lockId, entry) == null) {
					added.add(entry);
				}
			}
		}
		return () -> added.forEach(ThreadEntry::forget);
	}

	/** Returns what is held now, for operators. */
	List<LockInfo> info() {
		return this.all.stream().filter(Acquisition::isHeld)
			.map((a) -> new LockInfo(a.request().name(), a.request().key(), a.fencingToken(), a.heldSince()))
			.toList();
	}

	/** Returns every acquisition not yet ended (for shutdown). */
	List<Acquisition> acquisitions() {
		return List.copyOf(this.all);
	}

	/** A thread's right to re-enter one acquisition. */
	private static final class ThreadEntry {

		final Map<String, ThreadEntry> map;

		final String lockId;

		final Acquisition acquisition;

		ThreadEntry(Map<String, ThreadEntry> map, String lockId, Acquisition acquisition) {
			this.map = map;
			this.lockId = lockId;
			this.acquisition = acquisition;
		}

		void forget() {
			// the map belongs to the acquiring thread, but a level may be closed from another one
			this.map.remove(this.lockId, this);
		}
	}

	/** One level of a (possibly re-entered) lock. */
	private static final class Level implements LockHandle {

		private final Acquisition acquisition;

		/** The thread entry this level created, or {@code null} (re-entered, or not re-entrant). */
		private final @Nullable ThreadEntry entry;

		private final AtomicBoolean closed = new AtomicBoolean();

		private final List<Runnable> actions = new java.util.concurrent.CopyOnWriteArrayList<>();

		Level(Acquisition acquisition, @Nullable ThreadEntry entry) {
			this.acquisition = acquisition;
			this.entry = entry;
		}

		@Override
		public String name() {
			return this.acquisition.request().name();
		}

		@Override
		public String key() {
			return this.acquisition.request().key();
		}

		@Override
		public long fencingToken() {
			return this.acquisition.fencingToken();
		}

		@Override
		public boolean isHeld() {
			return !this.closed.get() && this.acquisition.isHeld();
		}

		@Override
		public Instant heldSince() {
			return this.acquisition.heldSince();
		}

		@Override
		public void onLost(Runnable action) {
			if (!this.closed.get()) {
				this.actions.add(action);
				this.acquisition.onLost(action);
			}
		}

		@Override
		public void close() {
			if (this.closed.compareAndSet(false, true)) {
				if (this.entry != null) {
					this.entry.forget();
				}
				// a level closed before the loss never runs its actions, even if an outer level loses the
				// lock later; after the loss they have been taken already and run
				this.acquisition.removeLostActions(this.actions);
				this.acquisition.exit();
			}
		}

		@Override
		public String toString() {
			return this.acquisition.toString();
		}
	}
}
