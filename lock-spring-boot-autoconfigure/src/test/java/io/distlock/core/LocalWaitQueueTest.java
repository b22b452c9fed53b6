package io.distlock.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The local queue: interrupted waiters leave nothing behind. */
class LocalWaitQueueTest {

	private final LocalWaitQueue queue = new LocalWaitQueue();

	@Test
	void anInterruptedWaiterLeavesNoEntryAndKeepsItsInterruptStatus() throws Exception {
		LocalWaitQueue.Permit held = this.queue.acquire("k", 0);
		AtomicBoolean interruptedAfter = new AtomicBoolean();
		CountDownLatch done = new CountDownLatch(1);
		Thread waiter = new Thread(() -> {
			try {
				this.queue.acquire("k", TimeUnit.SECONDS.toNanos(60));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			interruptedAfter.set(Thread.currentThread().isInterrupted());
			done.countDown();
		});
		waiter.start();
		Thread.sleep(100);
		waiter.interrupt();
		assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(interruptedAfter).isTrue();
		held.release();
		assertThat(this.queue.size()).isZero();
	}
}
