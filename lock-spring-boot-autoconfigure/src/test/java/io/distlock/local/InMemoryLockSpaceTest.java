package io.distlock.local;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import io.distlock.core.LockLease;
import io.distlock.core.LockRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the in-memory backend promises beyond the contract: one lock space per JVM, rising tokens, per-key wake-ups. */
class InMemoryLockSpaceTest {

	private final String name = "space-" + System.nanoTime();

	private LockRequest request(String key, Duration wait) {
		return new LockRequest(this.name, key, this.name, wait, Duration.ofSeconds(30));
	}

	@Test
	void providersOfTwoContextsOfOneJvmExcludeEachOther() throws Exception {
		InMemoryLockProvider first = new InMemoryLockProvider();
		InMemoryLockProvider second = new InMemoryLockProvider();
		LockLease held = first.acquire(request("k", Duration.ZERO)).orElseThrow();
		assertThat(second.acquire(request("k", Duration.ZERO))).isEmpty();
		held.release();
		second.acquire(request("k", Duration.ZERO)).orElseThrow().release();
	}

	@Test
	void tokensRiseAcrossProvidersAndStartAboveTheWallClock() throws Exception {
		long micros = System.currentTimeMillis() * 1000;
		LockLease a = new InMemoryLockProvider().acquire(request("k", Duration.ZERO)).orElseThrow();
		a.release();
		// a provider created later, as after a restart of the application context
		LockLease b = new InMemoryLockProvider().acquire(request("k", Duration.ZERO)).orElseThrow();
		b.release();
		assertThat(a.fencingToken()).isGreaterThanOrEqualTo(micros);
		assertThat(b.fencingToken()).isGreaterThan(a.fencingToken());
	}

	@Test
	void aReleaseWakesOnlyTheWaitersOfItsOwnKey() throws Exception {
		InMemoryLockProvider provider = new InMemoryLockProvider();
		LockLease blocker = provider.acquire(request("busy", Duration.ZERO)).orElseThrow();
		int waiters = 8;
		CountDownLatch started = new CountDownLatch(waiters);
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < waiters; i++) {
			Thread thread = new Thread(() -> {
				started.countDown();
				try {
					Optional<LockLease> lease = provider.acquire(request("busy", Duration.ofSeconds(60)));
					lease.ifPresent((l) -> {
						try {
							l.release();
						}
						catch (Exception ex) {
							throw new IllegalStateException(ex);
						}
					});
				}
				catch (InterruptedException ex) {
					// end of the test
				}
			});
			thread.start();
			threads.add(thread);
		}
		started.await();
		Thread.sleep(200);
		ThreadMXBean mx = ManagementFactory.getThreadMXBean();
		long before = threads.stream().mapToLong((t) -> mx.getThreadCpuTime(t.getId())).sum();
		for (int i = 0; i < 300; i++) {
			provider.acquire(request("other", Duration.ZERO)).orElseThrow().release();
			Thread.sleep(1); // spaced, so that a waiter woken by each release would run each time
		}
		long cpu = threads.stream().mapToLong((t) -> mx.getThreadCpuTime(t.getId())).sum() - before;
		// woken by every release, the waiters used about 20 ms of CPU here (measured on the old backend)
		assertThat(Duration.ofNanos(cpu)).as("CPU of waiters of another key during 300 releases").isLessThan(Duration.ofMillis(3));
		threads.forEach(Thread::interrupt);
		blocker.release();
	}
}
