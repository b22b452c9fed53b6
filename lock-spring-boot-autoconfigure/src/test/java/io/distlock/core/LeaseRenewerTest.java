package io.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.distlock.local.InMemoryLockProvider;
import io.distlock.testsupport.FaultyProvider;
import io.distlock.testsupport.FaultyProvider.Renewals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The renewer against the real in-memory backend with injected faults: exact deadlines, refusals,
 * logged errors, bounded threads, batching at scale, shutdown.
 */
@ExtendWith(OutputCaptureExtension.class)
class LeaseRenewerTest {

	private final InMemoryLockProvider inMemory = new InMemoryLockProvider();

	private final FaultyProvider provider = new FaultyProvider(this.inMemory);

	private final LeaseRenewer renewer = new LeaseRenewer();

	private final List<LockTemplate> templates = new ArrayList<>();

	private final String name = "renewer-" + System.nanoTime();

	@AfterEach
	void close() {
		this.provider.unblock();
		this.templates.forEach(LockTemplate::close);
		this.renewer.close();
	}

	private LockTemplate template(Duration lease) {
		LockTemplate template = new LockTemplate(this.provider, this.renewer, Duration.ZERO, lease, "", LockEventListener.NONE);
		this.templates.add(template);
		return template;
	}

	@Test
	void lossIsReportedAtTheDeadlineNotAtTheNextTick() throws Exception {
		// the acquisition's answer arrives late: a tick-based check starts late and reports late
		Duration lease = Duration.ofMillis(1200);
		this.provider.acquireDelay(Duration.ofMillis(150)).renewals(Renewals.FAIL);
		long before = System.nanoTime();
		LockHandle handle = template(lease).tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		AtomicLong lostAt = new AtomicLong();
		CountDownLatch lost = new CountDownLatch(1);
		handle.onLost(() -> {
			lostAt.set(System.nanoTime());
			lost.countDown();
		});
		assertThat(lost.await(5, TimeUnit.SECONDS)).isTrue();
		// deadline: 5/6 of the lease after the acquiring request was sent (which was after 'before')
		long deadlineMillis = lease.toMillis() * 5 / 6;
		assertThat(TimeUnit.NANOSECONDS.toMillis(lostAt.get() - before)).isBetween(deadlineMillis - 5, deadlineMillis + 80);
		assertThat(handle.isHeld()).isFalse();
	}

	@Test
	void refusedRenewalIsALossAtOnce() throws Exception {
		LockTemplate template = template(Duration.ofMillis(900));
		LockHandle handle = template.tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		CountDownLatch lost = new CountDownLatch(1);
		handle.onLost(lost::countDown);
		// an operator frees the lock: the backend now refuses the holder's renewal
		this.inMemory.evict(this.name, "k");
		assertThat(lost.await(900, TimeUnit.MILLISECONDS)).as("lost at the first renewal (a third of the lease)").isTrue();
		assertThat(handle.isHeld()).isFalse();
	}

	@Test
	void firstFailureOfALeaseIsLoggedWithItsCauseOnce(CapturedOutput output) throws Exception {
		this.provider.renewals(Renewals.FAIL);
		LockHandle handle = template(Duration.ofMillis(1200)).tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		CountDownLatch lost = new CountDownLatch(1);
		handle.onLost(lost::countDown);
		assertThat(lost.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(this.provider.renewCalls()).as("retried before the deadline").isGreaterThan(2);
		String log = output.getAll();
		assertThat(log.split("Could not renew lock", -1)).as("one WARN per failing lease").hasSize(2);
		assertThat(log).contains("backend unreachable (injected)").contains("Lost lock '" + this.name + "' with key 'k'");
	}

	@Test
	void aHangingBackendBlocksAFixedNumberOfThreadsAndLosesLeasesOnTime() throws Exception {
		this.provider.renewals(Renewals.HANG);
		LockTemplate template = template(Duration.ofMillis(600));
		List<LockHandle> handles = new ArrayList<>();
		CountDownLatch lost = new CountDownLatch(50);
		for (int i = 0; i < 50; i++) {
			// distinct lease times make distinct batches: the worst case for the number of calls in flight
			LockHandle handle = template.tryAcquire(LockSpec.of(this.name, "k" + i).leaseTime(Duration.ofMillis(600 + 10 * i)))
				.orElseThrow();
			handle.onLost(lost::countDown);
			handles.add(handle);
		}
		assertThat(lost.await(5, TimeUnit.SECONDS)).as("every lease declared lost by its deadline").isTrue();
		assertThat(renewalThreads()).isLessThanOrEqualTo(LeaseRenewer.IO_THREADS);
		handles.forEach(LockHandle::close);
	}

	@Test
	void renewalAtScaleIsBatchedOnAFewThreadsAndLosesNothing() throws Exception {
		// a slow backend: each round trip takes 20 ms, whatever it carries
		this.provider.renewDelay(Duration.ofMillis(20));
		Duration lease = Duration.ofMillis(900);
		LockTemplate template = template(lease);
		int locks = 3000;
		List<LockHandle> handles = new ArrayList<>();
		for (int i = 0; i < locks; i++) {
			handles.add(template.tryAcquire(this.name, "k" + i, Duration.ZERO).orElseThrow());
		}
		int callsBefore = this.provider.renewCalls();
		int renewedBefore = this.provider.renewedLeases();
		Thread.sleep(lease.toMillis() * 3);
		int calls = this.provider.renewCalls() - callsBefore;
		int renewed = this.provider.renewedLeases() - renewedBefore;
		assertThat(handles).allMatch(LockHandle::isHeld);
		assertThat(renewed).as("every lease renewed about every third of its lease").isGreaterThanOrEqualTo(locks * 6);
		assertThat(calls).as("round trips for %d renewals", renewed).isLessThan(renewed / 50);
		assertThat(renewalThreads()).isLessThanOrEqualTo(LeaseRenewer.IO_THREADS);
		handles.forEach(LockHandle::close);
	}

	@Test
	void aSlowLostActionDelaysNoOtherLease() throws Exception {
		Duration lease = Duration.ofMillis(900);
		LockTemplate template = template(lease);
		LockTemplate other = template(lease);
		LockHandle doomed = template.tryAcquire(this.name, "doomed", Duration.ZERO).orElseThrow();
		LockHandle healthy = template.tryAcquire(this.name, "healthy", Duration.ZERO).orElseThrow();
		AtomicReference<String> actionThread = new AtomicReference<>();
		doomed.onLost(() -> {
			actionThread.set(Thread.currentThread().getName());
			sleep(lease.multipliedBy(3));
		});
		// the doomed lock is lost at its deadline, noticed on the renewer's clock
		this.provider.failKey("doomed");
		Thread.sleep(lease.toMillis() * 5 / 2);
		assertThat(doomed.isHeld()).isFalse();
		assertThat(healthy.isHeld()).isTrue();
		assertThat(other.tryAcquire(this.name, "healthy", Duration.ZERO)).as("renewed while the doomed lock's action ran").isEmpty();
		assertThat(actionThread.get()).doesNotStartWith("distributed-lock-renewal");
		healthy.close();
	}

	@Test
	void closingTheRenewerReportsEveryLeaseItRenewedAsLost() throws Exception {
		LockHandle handle = template(Duration.ofSeconds(30)).tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		CountDownLatch lost = new CountDownLatch(1);
		handle.onLost(lost::countDown);
		this.renewer.close();
		assertThat(lost.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(handle.isHeld()).isFalse();
		assertThat(this.renewer.size()).isZero();
	}

	@Test
	void aLeaseTooShortToRenewIsRejectedNamingTheLock() {
		LockTemplate template = template(Duration.ofSeconds(30));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> template.tryAcquire(this.name, "k", Duration.ZERO, Duration.ofMillis(50)))
			.withMessageContaining("leaseTime 50ms of lock '" + this.name + "' with key 'k' is too short")
			.withMessageContaining("at least 200ms");
	}

	private static long renewalThreads() {
		Set<Thread> threads = Thread.getAllStackTraces().keySet();
		return threads.stream().filter((t) -> t.getName().startsWith("distributed-lock-renewal-io")).count();
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
