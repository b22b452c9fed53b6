package io.distlock.jdbc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * Interrupts a thread still inside a blocking call at its deadline, for calls without a timeout of
 * their own (a pool's {@code getConnection()}). Arming and disarming cost a set insertion and removal:
 * no timer task per call and no wake-up of another thread, which a scheduled executor would cost twice
 * per statement. One daemon thread checks the armed alarms every {@value #TICK_MILLIS} ms (an interrupt
 * comes up to that much late) and parks after a second without any.
 */
final class InterruptAlarms {

	static final long TICK_MILLIS = 10;

	private static final int IDLE_AFTER_TICKS = 100;

	private static final Set<Alarm> armed = ConcurrentHashMap.newKeySet();

	private static volatile boolean idle;

	private static volatile @Nullable Thread watcher;

	private InterruptAlarms() {
	}

	/** Arms an alarm that interrupts the calling thread at {@code deadlineNanos} ({@link System#nanoTime()}). */
	static Alarm arm(long deadlineNanos) {
		Alarm alarm = new Alarm(Thread.currentThread(), deadlineNanos);
		armed.add(alarm);
		Thread thread = watcher;
		if (thread == null) {
			thread = startWatcher();
		}
		if (idle) {
			LockSupport.unpark(thread);
		}
		return alarm;
	}

	private static synchronized Thread startWatcher() {
		Thread thread = watcher;
		if (thread == null) {
			thread = new Thread(InterruptAlarms::watch, "distributed-lock-jdbc-alarms");
			thread.setDaemon(true);
			thread.start();
			watcher = thread;
		}
		return thread;
	}

	private static void watch() {
		int emptyTicks = 0;
		while (true) {
			// park only after a second without alarms: between statements the set is empty for a moment, and
			// an unpark per statement would cost the context switches this class exists to avoid
			emptyTicks = armed.isEmpty() ? emptyTicks + 1 : 0;
			if (emptyTicks >= IDLE_AFTER_TICKS) {
				idle = true;
				// an alarm armed between the check and here finds idle set and unparks, or is seen now
				if (armed.isEmpty()) {
					LockSupport.park();
				}
				idle = false;
				emptyTicks = 0;
				continue;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
			long now = System.nanoTime();
			for (Alarm alarm : armed) {
				if (now - alarm.deadlineNanos >= 0) {
					armed.remove(alarm);
					alarm.ring();
				}
			}
		}
	}

	/** Interrupts one thread once, unless disarmed first; the two never overlap. */
	static final class Alarm {

		private static final int ARMED = 0;

		private static final int DISARMED = 1;

		private static final int RINGING = 2;

		private static final int RUNG = 3;

		private final Thread thread;

		private final long deadlineNanos;

		private final AtomicInteger state = new AtomicInteger(ARMED);

		Alarm(Thread thread, long deadlineNanos) {
			this.thread = thread;
			this.deadlineNanos = deadlineNanos;
		}

		private void ring() {
			if (this.state.compareAndSet(ARMED, RINGING)) {
				this.thread.interrupt();
				this.state.set(RUNG);
			}
		}

		/**
		 * Disarms the alarm. When it has gone off instead, waits until its interrupt is delivered and
		 * clears it: that interrupt was the alarm's, not the application's.
		 * @return {@code true} if it had not gone off and now never will
		 */
		boolean disarm() {
			armed.remove(this);
			if (this.state.compareAndSet(ARMED, DISARMED)) {
				return true;
			}
			while (this.state.get() != RUNG) {
				Thread.onSpinWait();
			}
			Thread.interrupted();
			return false;
		}
	}
}
