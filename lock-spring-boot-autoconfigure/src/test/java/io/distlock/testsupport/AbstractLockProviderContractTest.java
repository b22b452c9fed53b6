package io.distlock.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.distlock.core.LeaseRenewer;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockEventListener;
import io.distlock.core.LockHandle;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.LockSpec;
import io.distlock.core.LockTemplate;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.BeforeEach;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The contract every backend passes. A backend's test class extends this, starts its real server,
 * implements {@link #createProvider()} (one call = one application instance with its own client), and
 * adds only what is specific to that backend.
 *
 * <p>Each test uses lock names unique to the test, so a backend's server can be shared by the class.
 */
public abstract class AbstractLockProviderContractTest {

	private final List<Instance> instances = new ArrayList<>();

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private String testName;

	/** Creates a provider as one application instance would: its own client to the shared server. */
	protected abstract LockProvider createProvider() throws Exception;

	/** Closes what {@link #createProvider()} opened for one instance (its client); default nothing. */
	protected void closeProvider(LockProvider provider) throws Exception {
		if (provider instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

	/**
	 * Makes an instance stop renewing without releasing, as a crashed process would. Default: stop its
	 * renewal scheduler (which reports its leases lost, as nothing renews them any more). Backends whose
	 * lease is a session override this to end the session.
	 */
	protected void abandon(Instance instance) throws Exception {
		instance.renewer.close();
	}

	/**
	 * Whether {@link #abandon} leaves the holder able to notice its loss before the backend frees the
	 * lock (a stopped renewal: the holder's own deadline). Backends whose {@code abandon} ends the
	 * session on the server at once return {@code false}: the client then learns of it only afterwards.
	 */
	protected boolean abandonReportsLossBeforeTheLockIsFree() {
		return true;
	}

	/**
	 * Deletes the backend's record of the lock {@code name}/{@code key} behind its holder's back, as an
	 * operator would (Redis {@code DEL}, a {@code DELETE} of the row, a deleted znode). The holder must
	 * learn that its lease is lost.
	 * @param holder the instance that holds the lock (its client may be used to reach the backend)
	 */
	protected abstract void deleteLockRecord(Instance holder, String name, String key) throws Exception;

	/**
	 * Asserts that nothing of a waiter that gave up is left in the backend for the lock (no waiter
	 * entry, node, watch or row beyond the lock's own). Default: nothing to check.
	 */
	protected void assertNoWaiterLeftovers(Instance waiter, String name, String key) throws Exception {
	}

	/** The lease used by tests that wait for a lease to end; backends with a fixed session lease override it. */
	protected Duration shortLease() {
		return Duration.ofMillis(1000);
	}

	/**
	 * How long after {@code close()} returned another instance may still find the lock taken. Zero for
	 * backends whose release returns once the backend applied it; ZooKeeper's release only sends its
	 * delete (the lock is free once the server applies it, a round trip later).
	 */
	protected Duration releaseVisibleWithin() {
		return Duration.ZERO;
	}

	/** Slack allowed on top of a wait or lease for scheduling and round trips on a loaded 2-core machine. */
	protected Duration slack() {
		return Duration.ofMillis(1500);
	}

	/** One application instance: a provider with its own client, renewer and template. */
	public static final class Instance {

		public final LockProvider provider;

		public final LeaseRenewer renewer;

		public final LockTemplate template;

		Instance(LockProvider provider, Duration lease) {
			this.provider = provider;
			this.renewer = new LeaseRenewer();
			this.template = new LockTemplate(provider, this.renewer, Duration.ZERO, lease, "", LockEventListener.NONE);
		}
	}

	@BeforeEach
	void rememberName(TestInfo info) {
		this.testName = getClass().getSimpleName() + "." + info.getTestMethod().orElseThrow().getName() + "." + System.nanoTime();
	}

	@AfterEach
	void closeInstances() throws Exception {
		for (ConfigurableApplicationContext context : this.contexts) {
			context.close();
		}
		this.contexts.clear();
		for (Instance instance : this.instances) {
			instance.template.close();
			instance.renewer.close();
			closeProvider(instance.provider);
		}
		this.instances.clear();
	}

	/** Starts one more application instance. */
	protected Instance newInstance() throws Exception {
		return newInstance(Duration.ofSeconds(30));
	}

	/** Starts one more application instance whose default lease is {@code lease}. */
	protected Instance newInstance(Duration lease) throws Exception {
		Instance instance = new Instance(createProvider(), lease);
		this.instances.add(instance);
		return instance;
	}

	/** Returns a lock name unique to the running test. */
	protected String lockName() {
		return this.testName;
	}

	@Test
	void acquireAndRelease() throws Exception {
		LockTemplate template = newInstance().template;
		LockHandle handle = template.tryAcquire(lockName(), "a", Duration.ZERO).orElseThrow();
		assertThat(handle.isHeld()).isTrue();
		assertThat(handle.name()).isEqualTo(lockName());
		assertThat(handle.key()).isEqualTo("a");
		handle.close();
		assertThat(handle.isHeld()).isFalse();
		handle.close(); // idempotent
		try (LockHandle again = template.tryAcquire(lockName(), "a", Duration.ZERO).orElseThrow()) {
			assertThat(again.isHeld()).isTrue();
			assertThat(again.fencingToken()).isGreaterThan(handle.fencingToken());
		}
	}

	@Test
	void secondAcquireFailsWhileHeld() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		try (LockHandle held = first.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
			assertThat(second.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
			// another thread of the same instance is excluded too (re-entry is per thread)
			Optional<LockHandle> otherThread = CompletableFuture
				.supplyAsync(() -> first.template.tryAcquire(lockName(), "k", Duration.ZERO))
				.get(10, TimeUnit.SECONDS);
			assertThat(otherThread).isEmpty();
			assertThat(held.isHeld()).isTrue();
		}
		try (LockHandle next = second.template.tryAcquire(lockName(), "k", releaseVisibleWithin()).orElseThrow()) {
			assertThat(next.isHeld()).isTrue();
		}
	}

	@Test
	void wholeNameLockWithEmptyKey() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		try (LockHandle held = first.template.tryAcquire(lockName(), "", Duration.ZERO).orElseThrow()) {
			assertThat(second.template.tryAcquire(lockName(), "", Duration.ZERO)).isEmpty();
			assertThat(second.template.tryAcquire(lockName(), "x", Duration.ZERO)).hasValueSatisfying(LockHandle::close);
		}
	}

	@Test
	void differentKeysAndNamesAreIndependent() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		try (LockHandle a = first.template.tryAcquire(lockName(), "a", Duration.ZERO).orElseThrow();
				LockHandle b = second.template.tryAcquire(lockName(), "b", Duration.ZERO).orElseThrow();
				LockHandle c = second.template.tryAcquire(lockName() + "-other", "a", Duration.ZERO).orElseThrow()) {
			assertThat(a.isHeld() && b.isHeld() && c.isHeld()).isTrue();
		}
	}

	@Test
	void waitTimeIsHonoured() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		Duration wait = Duration.ofMillis(400);
		try (LockHandle held = first.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
			long start = System.nanoTime();
			assertThat(second.template.tryAcquire(lockName(), "k", wait)).isEmpty();
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			assertThat(waited).isGreaterThanOrEqualTo(wait.minusMillis(20)).isLessThanOrEqualTo(wait.plus(slack()));
		}
	}

	@Test
	void waiterAcquiresSoonAfterRelease() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		LockHandle held = first.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
			long start = System.nanoTime();
			try (LockHandle h = second.template.tryAcquire(lockName(), "k", Duration.ofSeconds(20)).orElseThrow()) {
				return System.nanoTime() - start;
			}
		});
		Thread.sleep(300);
		assertThat(waiter).isNotDone();
		held.close();
		long waitedNanos = waiter.get(30, TimeUnit.SECONDS);
		assertThat(Duration.ofNanos(waitedNanos)).isLessThan(Duration.ofMillis(300).plus(slack()));
	}

	@Test
	void abandonedLockFreesItselfAfterItsLease() throws Exception {
		Duration lease = shortLease();
		Instance crashed = newInstance(lease);
		Instance survivor = newInstance(lease);
		LockHandle abandoned = crashed.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		AtomicLong lostAt = new AtomicLong();
		abandoned.onLost(() -> lostAt.set(System.nanoTime()));
		long abandonedAt = System.nanoTime();
		abandon(crashed);
		try (LockHandle next = survivor.template.tryAcquire(lockName(), "k", lease.plus(slack()).plus(slack())).orElseThrow()) {
			long acquiredAt = System.nanoTime();
			Duration freedAfter = Duration.ofNanos(acquiredAt - abandonedAt);
			assertThat(freedAfter).isLessThanOrEqualTo(lease.plus(slack()).plus(slack()));
			assertThat(next.fencingToken()).isGreaterThan(abandoned.fencingToken());
			// the abandoned holder knows it holds nothing, and knew it before anyone else got the lock
			if (abandonReportsLossBeforeTheLockIsFree()) {
				assertThat(abandoned.isHeld()).isFalse();
				assertThat(lostAt.get()).as("loss reported before the next acquisition").isNotZero().isLessThan(acquiredAt);
			}
			else {
				long deadline = System.nanoTime() + slack().toNanos();
				while (abandoned.isHeld() && System.nanoTime() < deadline) {
					Thread.sleep(10);
				}
				assertThat(abandoned.isHeld()).as("the abandoned holder learns of its loss").isFalse();
			}
		}
	}

	@Test
	void renewalKeepsALongHoldersLock() throws Exception {
		Duration lease = shortLease();
		Instance holder = newInstance(lease);
		Instance other = newInstance(lease);
		try (LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
			long end = System.nanoTime() + lease.multipliedBy(3).toNanos();
			while (System.nanoTime() < end) {
				assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
				Thread.sleep(lease.toMillis() / 5);
			}
			assertThat(held.isHeld()).isTrue();
		}
	}

	@Test
	void fencingTokensStrictlyIncreaseAcrossInstances() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		long previous = Long.MIN_VALUE;
		for (int i = 0; i < 20; i++) {
			LockTemplate template = (i % 2 == 0) ? first.template : second.template;
			try (LockHandle handle = template.tryAcquire(lockName(), "k", Duration.ofSeconds(5)).orElseThrow()) {
				assertThat(handle.fencingToken()).isGreaterThan(previous);
				previous = handle.fencingToken();
			}
		}
	}

	@Test
	void reentryKeepsTheTokenAndTheOutermostReleases() throws Exception {
		Instance instance = newInstance();
		Instance other = newInstance();
		LockHandle outer = instance.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		LockHandle inner = instance.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		assertThat(inner.fencingToken()).isEqualTo(outer.fencingToken());
		inner.close();
		assertThat(outer.isHeld()).isTrue();
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		outer.close();
		assertThat(other.template.tryAcquire(lockName(), "k", releaseVisibleWithin())).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void anotherThreadMayRelease() throws Exception {
		Instance instance = newInstance();
		Instance other = newInstance();
		LockHandle handle = CompletableFuture
			.supplyAsync(() -> instance.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow())
			.get(10, TimeUnit.SECONDS);
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		handle.close(); // this thread did not acquire it
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ofSeconds(5))).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void staleLeaseCanNeitherRenewNorReleaseANewerHoldersLock() throws Exception {
		Instance staleInstance = newInstance();
		LockProvider stale = staleInstance.provider;
		Instance newer = newInstance();
		Duration lease = shortLease();
		LockRequest request = new LockRequest(lockName(), "k", lockName(), Duration.ZERO, lease);
		LockLease old = stale.acquire(request).orElseThrow();
		// never renewed (acquired past the core): its lease runs out and the newer instance takes over;
		// abandon ends the lease of backends whose lease is a session rather than a renewal
		abandon(staleInstance);
		try (LockHandle current = newer.template.tryAcquire(lockName(), "k", lease.plus(slack()).plus(slack())).orElseThrow()) {
			assertThat(current.fencingToken()).isGreaterThan(old.fencingToken());
			assertThat(old.renew(lease)).isFalse();
			old.release();
			assertThat(current.isHeld()).isTrue();
			Instance third = newInstance();
			assertThat(third.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		}
	}

	@Test
	void failedWaitsLeaveNoLockBehind() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		LockHandle held = first.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		for (int i = 0; i < 3; i++) {
			assertThat(second.template.tryAcquire(lockName(), "k", Duration.ofMillis(50))).isEmpty();
		}
		held.close();
		assertThat(newInstance().template.tryAcquire(lockName(), "k", releaseVisibleWithin())).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void virtualThreadsShareOneLockWithoutLosingUpdates() throws Exception {
		// on Java 21+ these are virtual threads (ownership follows the handle, never a thread id);
		// on Java 17 the same test runs on a thread per task
		LockTemplate template = newInstance().template;
		int tasks = 40;
		HistoryChecker history = new HistoryChecker();
		long[] counter = { 0 };
		ExecutorService executor = VirtualThreads.perTaskExecutor();
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < tasks; t++) {
				String holder = "v" + t;
				futures.add(executor.submit(() -> {
					for (int i = 0; i < 3; i++) {
						try (LockHandle handle = template.tryAcquire(lockName(), "v", Duration.ofSeconds(60)).orElseThrow()) {
							long acquiredAt = System.nanoTime();
							long value = counter[0];
							Thread.sleep(0, 100_000);
							counter[0] = value + 1;
							history.record(holder, handle.fencingToken(), acquiredAt, System.nanoTime(), !handle.isHeld());
						}
					}
					return null;
				}));
			}
			for (Future<?> f : futures) {
				f.get(5, TimeUnit.MINUTES);
			}
		}
		finally {
			executor.shutdownNow();
		}
		synchronized (counter) {
			assertThat(counter[0]).as("lost updates").isEqualTo(tasks * 3L);
		}
		history.assertValid();
	}

	@Test
	void aHolderInterruptedBeforeItReleasesStillFreesTheLockAndKeepsItsInterruptStatus() throws Exception {
		Instance holder = newInstance();
		Instance other = newInstance();
		AtomicBoolean interruptedAfter = new AtomicBoolean();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		// a cancelled task: its thread is interrupted, and its lock is released in a finally block
		Thread thread = new Thread(() -> {
			try {
				LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
				Thread.currentThread().interrupt();
				held.close();
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
			interruptedAfter.set(Thread.currentThread().isInterrupted());
		});
		thread.start();
		thread.join(slack().plus(slack()).toMillis());
		assertThat(failure.get()).isNull();
		assertThat(interruptedAfter).as("interrupt status kept").isTrue();
		assertThat(other.template.tryAcquire(lockName(), "k", releaseVisibleWithin())).as("released despite the interrupt")
			.hasValueSatisfying(LockHandle::close);
	}

	@Test
	void aWaiterInterruptedWhileWaitingLeavesNothingBehindAndKeepsItsInterruptStatus() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicBoolean interruptedAfter = new AtomicBoolean();
		Thread thread = new Thread(() -> {
			try {
				waiter.template.tryAcquire(lockName(), "k", Duration.ofSeconds(60)).ifPresent(LockHandle::close);
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
			interruptedAfter.set(Thread.currentThread().isInterrupted());
		});
		thread.start();
		Thread.sleep(500);
		long interruptedAt = System.nanoTime();
		thread.interrupt();
		thread.join(slack().plus(slack()).toMillis());
		assertThat(thread.isAlive()).as("the waiter stopped waiting").isFalse();
		assertThat(Duration.ofNanos(System.nanoTime() - interruptedAt)).isLessThan(slack().plus(slack()));
		assertThat(failure.get()).isInstanceOf(LockAcquisitionException.class).hasMessageContaining("interrupted");
		assertThat(interruptedAfter).as("interrupt status kept").isTrue();
		assertNoWaiterLeftovers(waiter, lockName(), "k");
		held.close();
		// neither the waiter's instance nor anyone else finds a lock left behind by the waiter
		assertThat(waiter.template.tryAcquire(lockName(), "k", releaseVisibleWithin())).hasValueSatisfying(LockHandle::close);
		assertThat(newInstance().template.tryAcquire(lockName(), "k", releaseVisibleWithin())).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void onLostRunsWhenAnOperatorDeletesTheLock() throws Exception {
		Duration lease = shortLease();
		Instance holder = newInstance(lease);
		Instance other = newInstance(lease);
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		CountDownLatch lost = new CountDownLatch(1);
		AtomicReference<String> thread = new AtomicReference<>();
		held.onLost(() -> {
			thread.set(Thread.currentThread().getName());
			lost.countDown();
		});
		deleteLockRecord(holder, lockName(), "k");
		assertThat(lost.await(lease.plus(slack()).toMillis(), TimeUnit.MILLISECONDS))
			.as("the holder learns that its lock was deleted (renewal refused, or a watch on the lock's record)").isTrue();
		assertThat(held.isHeld()).isFalse();
		assertThat(thread.get()).doesNotStartWith("distributed-lock-renewal");
		try (LockHandle next = other.template.tryAcquire(lockName(), "k", slack()).orElseThrow()) {
			assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
			held.close(); // the old holder's release frees nothing of the new holder's
			assertThat(next.isHeld()).isTrue();
			assertThat(newInstance().template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		}
	}

	@Test
	void shutdownReleasesEveryLockAndReportsStillRunningWorkLost() throws Exception {
		Instance stopping = newInstance();
		Instance other = newInstance();
		LockHandle finishing = stopping.template.tryAcquire(lockName(), "finishing", Duration.ZERO).orElseThrow();
		LockHandle running = stopping.template.tryAcquire(lockName(), "running", Duration.ZERO).orElseThrow();
		AtomicInteger finishingLost = new AtomicInteger();
		CountDownLatch runningLost = new CountDownLatch(1);
		finishing.onLost(finishingLost::incrementAndGet);
		running.onLost(runningLost::countDown);
		CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> stopping.template.shutdown(Duration.ofMillis(800)));
		Thread.sleep(300);
		finishing.close(); // this work ends within the grace period
		shutdown.get(30, TimeUnit.SECONDS);
		assertThat(runningLost.await(10, TimeUnit.SECONDS)).as("still running after the grace period: reported lost").isTrue();
		assertThat(running.isHeld()).isFalse();
		assertThat(finishingLost).hasValue(0);
		// released in the backend at once, not left to expire by the 30 s lease
		assertThat(other.template.tryAcquire(lockName(), "running", slack())).hasValueSatisfying(LockHandle::close);
		assertThat(other.template.tryAcquire(lockName(), "finishing", slack())).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void aMinimumHoldTimeKeepsTheLockAfterAnEarlyReleaseWithoutDelayingTheCaller() throws Exception {
		Instance holder = newInstance();
		Instance other = newInstance();
		Duration minHold = Duration.ofMillis(3000); // long enough that a loaded machine still releases within it
		long beforeAcquire = System.nanoTime();
		LockHandle held = holder.template.tryAcquire(LockSpec.of(lockName(), "k").minHoldTime(minHold)).orElseThrow();
		long releasedAt = System.nanoTime();
		held.close();
		assertThat(Duration.ofNanos(System.nanoTime() - releasedAt)).as("the caller is not delayed").isLessThan(slack());
		assertThat(held.isHeld()).isFalse();
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).as("kept after the early release").isEmpty();
		try (LockHandle next = other.template.tryAcquire(lockName(), "k", minHold.plus(slack())).orElseThrow()) {
			// held until at least minHold after the acquiring request was sent, which was after beforeAcquire
			assertThat(Duration.ofNanos(System.nanoTime() - beforeAcquire)).isGreaterThanOrEqualTo(minHold.minusMillis(20));
			assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
		}
		// a release after the minimum hold time frees at once
		LockHandle late = holder.template.tryAcquire(LockSpec.of(lockName(), "late").minHoldTime(Duration.ofMillis(200))).orElseThrow();
		Thread.sleep(400);
		late.close();
		assertThat(other.template.tryAcquire(lockName(), "late", releaseVisibleWithin())).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void fairLocksAreGrantedInTheOrderCallersStartedWaitingOrRejected() throws Exception {
		Instance holder = newInstance();
		LockSpec fair = LockSpec.of(lockName(), "k").fair(true).waitTime(Duration.ofSeconds(60));
		if (!holder.provider.supportsFairLocks()) {
			assertThatIllegalArgumentException().isThrownBy(() -> holder.template.tryAcquire(fair))
				.withMessageContaining("The " + holder.provider.backendName() + " backend cannot grant fair locks");
			return;
		}
		Instance[] instances = { newInstance(), newInstance(), holder };
		LockHandle first = holder.template.tryAcquire(fair).orElseThrow();
		List<Integer> order = new CopyOnWriteArrayList<>();
		List<Thread> waiters = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			int n = i;
			LockTemplate template = instances[i % instances.length].template;
			Thread thread = new Thread(() -> template.tryAcquire(fair).ifPresent((handle) -> {
				order.add(n);
				handle.close();
			}));
			thread.start();
			waiters.add(thread);
			Thread.sleep(300); // started waiting in this order
		}
		first.close();
		for (Thread thread : waiters) {
			thread.join(60_000);
		}
		assertThat(order).containsExactly(0, 1, 2, 3, 4, 5);
	}

	/** Returns the locked work of {@code instance} behind the {@code @DistributedLocked} interceptor. */
	protected LockedWork annotated(Instance instance) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(AnnotatedWork.class).web(WebApplicationType.NONE)
			.bannerMode(org.springframework.boot.Banner.Mode.OFF).logStartupInfo(false)
			.initializers((ctx) -> {
				ctx.getBeanFactory().registerSingleton("lockProvider", instance.provider);
				ctx.getBeanFactory().registerSingleton("leaseRenewer", instance.renewer);
				ctx.getBeanFactory().registerSingleton("lockTemplate", instance.template);
			})
			.run("--spring.main.register-shutdown-hook=false", "--spring.lifecycle.timeout-per-shutdown-phase=2s");
		this.contexts.add(context);
		return context.getBean(LockedWork.class);
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(DistributedLockAutoConfiguration.class)
	static class AnnotatedWork {

		@Bean
		LockedWork lockedWork() {
			return new LockedWork();
		}
	}

	@Test
	void annotatedMonoIsLockedPerSubscriptionAndReleasedBeforeItsSubscriberHearsOfIt() throws Exception {
		Instance instance = newInstance();
		Instance other = newInstance();
		LockedWork work = annotated(instance);
		String key = lockName();
		Mono<Long> locked = work.mono(key, Duration.ofMillis(300));
		assertThat(freeFor(other, key)).as("calling the method takes no lock").isTrue();
		AtomicBoolean freeWhenSubscriberHeard = new AtomicBoolean();
		Mono<Long> observed = locked.doOnNext((token) -> freeWhenSubscriberHeard.set(freeFor(other, key)));
		CompletableFuture<Long> first = observed.toFuture();
		Thread.sleep(100);
		assertThat(takenFor(other, key)).as("held while the subscription runs").isTrue();
		long token = first.get(30, TimeUnit.SECONDS);
		assertThat(freeWhenSubscriberHeard).as("released before the subscriber heard of the value").isTrue();
		// each subscription takes the lock anew: repeat() runs locked, with a new token each time
		List<Long> tokens = locked.repeat(2).collectList().block(Duration.ofSeconds(60));
		assertThat(tokens).hasSize(3);
		assertThat(tokens.get(0)).isGreaterThan(token);
		assertThat(tokens).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void annotatedFluxIsReleasedWhenItsSubscriberCancels() throws Exception {
		Instance instance = newInstance();
		Instance other = newInstance();
		LockedWork work = annotated(instance);
		String key = lockName();
		List<Long> tokens = work.ticks(key, Duration.ofMillis(50)).take(3).collectList().block(Duration.ofSeconds(60));
		assertThat(tokens).hasSize(3).containsOnly(tokens.get(0));
		// take(3) completed downstream and cancelled the endless flux upstream: the cancel releases (no
		// order between the two, so the release may come a moment after the completion)
		assertThat(freeWithin(other, key, slack())).as("released when take(3) cancelled it").isTrue();
		Disposable running = work.ticks(key, Duration.ofMillis(50)).subscribe();
		Thread.sleep(300);
		assertThat(takenFor(other, key)).as("held while subscribed").isTrue();
		running.dispose();
		assertThat(freeWithin(other, key, slack())).as("released on cancel").isTrue();
	}

	@Test
	void annotatedFutureHoldsUntilItCompletesAndCancellingItReleases() throws Exception {
		Instance instance = newInstance();
		Instance other = newInstance();
		LockedWork work = annotated(instance);
		String key = lockName();
		CompletableFuture<Void> gate = new CompletableFuture<>();
		CompletableFuture<Long> result = work.future(key, gate);
		long deadline = System.nanoTime() + slack().toNanos();
		while (!takenFor(other, key) && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(takenFor(other, key)).as("held until the future completes").isTrue();
		gate.complete(null);
		assertThat(result.get(30, TimeUnit.SECONDS)).isPositive();
		assertThat(freeFor(other, key)).as("released when it completed").isTrue();
		CompletableFuture<Long> cancelled = work.future(key, new CompletableFuture<>());
		Thread.sleep(300);
		assertThat(takenFor(other, key)).isTrue();
		cancelled.cancel(true);
		assertThat(freeWithin(other, key, slack())).as("released when cancelled").isTrue();
	}

	@Test
	void annotatedFuturesOnVirtualThreadsNeverOverlap() throws Exception {
		// virtual threads on Java 21+ (the CI's second run is on 25), platform threads on 17
		LockedWork[] works = { annotated(newInstance()), annotated(newInstance()) };
		String key = lockName();
		HistoryChecker history = new HistoryChecker();
		ExecutorService executor = VirtualThreads.perTaskExecutor();
		try {
			List<Future<?>> calls = new ArrayList<>();
			for (int i = 0; i < 12; i++) {
				LockedWork work = works[i % 2];
				String holder = "v" + i;
				calls.add(executor.submit(() -> work.recordedFuture(key, history, holder, executor).get(60, TimeUnit.SECONDS)));
			}
			for (Future<?> call : calls) {
				call.get(2, TimeUnit.MINUTES);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(history.size()).isEqualTo(12);
		history.assertValid();
	}

	@Test
	void fuzzThroughTheAnnotationLosesNothingAndNeverOverlaps() throws Exception {
		LockedWork[] works = { annotated(newInstance()), annotated(newInstance()) };
		String key = lockName();
		int threads = fuzzThreads();
		int perThread = fuzzIncrementsPerThread();
		HistoryChecker history = new HistoryChecker();
		AtomicLong counter = new AtomicLong();
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				LockedWork work = works[t % works.length];
				String holder = "a" + t;
				futures.add(pool.submit(() -> {
					for (int i = 0; i < perThread; i++) {
						work.increment(key, counter, history, holder);
					}
					return null;
				}));
			}
			for (Future<?> f : futures) {
				f.get(5, TimeUnit.MINUTES);
			}
		}
		finally {
			pool.shutdown();
		}
		assertThat(counter.get()).as("lost updates").isEqualTo((long) threads * perThread);
		history.assertValid();
	}

	/** Whether {@code other} gets the annotated work's lock, allowing for a release on its way. */
	private boolean freeFor(Instance other, String key) {
		Optional<LockHandle> handle = other.template.tryAcquire("contract-work", key, releaseVisibleWithin());
		handle.ifPresent(LockHandle::close);
		return handle.isPresent();
	}

	/** Whether {@code other} gets the annotated work's lock within {@code wait}. */
	private boolean freeWithin(Instance other, String key, Duration wait) {
		Optional<LockHandle> handle = other.template.tryAcquire("contract-work", key, wait);
		handle.ifPresent(LockHandle::close);
		return handle.isPresent();
	}

	/** Whether {@code other} finds the annotated work's lock taken, trying once. */
	private boolean takenFor(Instance other, String key) {
		Optional<LockHandle> handle = other.template.tryAcquire("contract-work", key, Duration.ZERO);
		handle.ifPresent(LockHandle::close);
		return handle.isEmpty();
	}


	/** How many threads and increments the fuzz test uses; backends that are slow may lower them. */
	protected int fuzzThreads() {
		return 8;
	}

	protected int fuzzIncrementsPerThread() {
		return 25;
	}

	@Test
	void fuzzRacyReadSleepWriteLosesNothingAndNeverOverlaps() throws Exception {
		Instance[] apps = { newInstance(), newInstance() };
		int threads = fuzzThreads();
		int perThread = fuzzIncrementsPerThread();
		HistoryChecker history = new HistoryChecker();
		AtomicLong counter = new AtomicLong(); // read and written separately: the race a lock must prevent
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			LockTemplate template = apps[t % apps.length].template;
			String holder = "t" + t;
			futures.add(pool.submit(() -> {
				start.await();
				for (int i = 0; i < perThread; i++) {
					try (LockHandle handle = template.tryAcquire(lockName(), "counter", Duration.ofSeconds(60)).orElseThrow()) {
						long acquiredAt = System.nanoTime();
						long value = counter.get();
						Thread.sleep(0, 200_000);
						counter.set(value + 1);
						history.record(holder, handle.fencingToken(), acquiredAt, System.nanoTime(), !handle.isHeld());
					}
				}
				return null;
			}));
		}
		start.countDown();
		for (Future<?> f : futures) {
			f.get(5, TimeUnit.MINUTES);
		}
		pool.shutdown();
		assertThat(counter.get()).as("lost updates").isEqualTo((long) threads * perThread);
		assertThat(history.size()).isEqualTo(threads * perThread);
		history.assertValid();
	}
}
