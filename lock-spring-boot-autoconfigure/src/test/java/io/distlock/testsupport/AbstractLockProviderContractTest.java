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
import java.util.concurrent.atomic.AtomicLong;

import io.distlock.core.LeaseRenewer;
import io.distlock.core.LockEventListener;
import io.distlock.core.LockHandle;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.LockTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.BeforeEach;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every backend passes. A backend's test class extends this, starts its real server,
 * implements {@link #createProvider()} (one call = one application instance with its own client), and
 * adds only what is specific to that backend.
 *
 * <p>Each test uses lock names unique to the test, so a backend's server can be shared by the class.
 */
public abstract class AbstractLockProviderContractTest {

	private final List<Instance> instances = new ArrayList<>();

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
	 * renewal scheduler. Backends whose lease is a session override this to end the session.
	 */
	protected void abandon(Instance instance) throws Exception {
		instance.renewer.close();
	}

	/** The lease used by tests that wait for a lease to end; backends with a fixed session lease override it. */
	protected Duration shortLease() {
		return Duration.ofMillis(1000);
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
		for (Instance instance : this.instances) {
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
		try (LockHandle next = second.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
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
		long abandonedAt = System.nanoTime();
		abandon(crashed);
		try (LockHandle next = survivor.template.tryAcquire(lockName(), "k", lease.plus(slack()).plus(slack())).orElseThrow()) {
			Duration freedAfter = Duration.ofNanos(System.nanoTime() - abandonedAt);
			assertThat(freedAfter).isLessThanOrEqualTo(lease.plus(slack()).plus(slack()));
			assertThat(next.fencingToken()).isGreaterThan(abandoned.fencingToken());
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
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).hasValueSatisfying(LockHandle::close);
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
		assertThat(newInstance().template.tryAcquire(lockName(), "k", Duration.ZERO)).hasValueSatisfying(LockHandle::close);
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
