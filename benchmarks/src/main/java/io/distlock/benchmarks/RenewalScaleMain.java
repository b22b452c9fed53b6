package io.distlock.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.distlock.core.LeaseRenewer;
import io.distlock.core.LockEventListener;
import io.distlock.core.LockHandle;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.LockTemplate;
import io.distlock.core.RenewalResult;
import io.distlock.jdbc.JdbcLockProvider;
import io.distlock.jdbc.JdbcLockSchema;
import io.distlock.redis.RedisLockProvider;

/**
 * The renewal scale scenario: one application instance holds many locks at once (1 000, then 10 000)
 * with 3 s leases for 15 s, on Redis and on PostgreSQL with a pool of 10 connections, as an application
 * locking per order or per account would. Reports how fast the locks were taken, how many were lost
 * while their holders still worked, how many renewal threads existed, and how many renewal round trips
 * ({@link LockProvider#renewAll} calls) one lease period took.
 *
 * <pre>
 * benchmarks/run-scale.sh                       # embedded redis-server and PostgreSQL
 * benchmarks/run-scale.sh --external            # the local services (Redis 6379, PostgreSQL 5432/test)
 * benchmarks/run-scale.sh locks=1000 backends=redis
 * </pre>
 */
public final class RenewalScaleMain {

	private static final Duration LEASE = Duration.ofSeconds(3);

	private static final Duration HOLD = Duration.ofSeconds(15);

	private static final int POOL = 10;

	private static final int ACQUIRING_THREADS = 16;

	private RenewalScaleMain() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = java.util.Arrays.stream(args).map((a) -> a.split("=", 2))
			.collect(Collectors.toMap((kv) -> kv[0].replace("--", ""), (kv) -> (kv.length > 1) ? kv[1] : "true"));
		List<Integer> counts = java.util.Arrays.stream(options.getOrDefault("locks", "1000,10000").split(","))
			.map(Integer::parseInt).toList();
		List<String> backends = List.of(options.getOrDefault("backends", "redis,postgres").split(","));
		System.out.println("| backend | locks | acquired/s | lost | renewal threads (max) | threads started | renewal round trips per lease period | leases renewed per period |");
		System.out.println("|---|---|---|---|---|---|---|---|");
		try (Servers servers = new Servers(Boolean.parseBoolean(options.getOrDefault("external", "false")), false)) {
			for (String backend : backends) {
				for (int count : counts) {
					try (AppInstance app = new AppInstance(servers, POOL)) {
						LockProvider provider = switch (backend) {
							case "redis" -> new RedisLockProvider(app.lettuceConnectionFactory());
							case "postgres" -> {
								JdbcLockSchema.create(app.dataSource(), JdbcLockSchema.DEFAULT_TABLE_NAME);
								yield new JdbcLockProvider(app.dataSource());
							}
							default -> throw new IllegalArgumentException("backends= takes redis and postgres, not " + backend);
						};
						System.out.println(run(backend, new Counting(provider), count));
						if (provider instanceof AutoCloseable closeable) {
							closeable.close();
						}
					}
				}
			}
		}
		System.exit(0);
	}

	private static String run(String backend, Counting provider, int count) throws Exception {
		LeaseRenewer renewer = new LeaseRenewer();
		LockTemplate template = new LockTemplate(provider, renewer, Duration.ofSeconds(30), LEASE, "scale:" + System.nanoTime() + ":",
				LockEventListener.NONE);
		long threadsBefore = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
		AtomicInteger maxRenewalThreads = new AtomicInteger();
		Thread sampler = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				int n = (int) Thread.getAllStackTraces().keySet().stream()
					.filter((t) -> t.getName().startsWith("distributed-lock-renewal")).count();
				maxRenewalThreads.accumulateAndGet(n, Math::max);
				try {
					Thread.sleep(100);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		});
		sampler.setDaemon(true);
		sampler.start();
		ConcurrentLinkedQueue<LockHandle> handles = new ConcurrentLinkedQueue<>();
		ExecutorService pool = Executors.newFixedThreadPool(ACQUIRING_THREADS);
		AtomicInteger next = new AtomicInteger();
		long started = System.nanoTime();
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < ACQUIRING_THREADS; t++) {
			futures.add(pool.submit(() -> {
				for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
					Optional<LockHandle> handle = template.tryAcquire("order", Integer.toString(i), Duration.ofSeconds(30));
					handles.add(handle.orElseThrow());
				}
				return null;
			}));
		}
		for (Future<?> f : futures) {
			f.get();
		}
		double acquiredPerSecond = count / ((System.nanoTime() - started) / 1e9);
		long callsBefore = provider.calls.get();
		long renewedBefore = provider.renewed.get();
		Thread.sleep(HOLD.toMillis());
		long calls = provider.calls.get() - callsBefore;
		long renewed = provider.renewed.get() - renewedBefore;
		long lost = handles.stream().filter((h) -> !h.isHeld()).count();
		sampler.interrupt();
		long threadsStarted = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - threadsBefore;
		handles.forEach(LockHandle::close);
		pool.shutdown();
		template.close();
		renewer.close();
		double periods = HOLD.toMillis() / (double) LEASE.toMillis();
		return String.format("| %s | %d | %.0f | %d | %d | %d | %.0f | %.0f |", backend, count, acquiredPerSecond, lost,
				maxRenewalThreads.get(), threadsStarted, calls / periods, renewed / periods);
	}

	/** Counts the renewal round trips the core asks of the backend. */
	private static final class Counting implements LockProvider {

		final LockProvider delegate;

		final AtomicLong calls = new AtomicLong();

		final AtomicLong renewed = new AtomicLong();

		Counting(LockProvider delegate) {
			this.delegate = delegate;
		}

		@Override
		public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
			return this.delegate.acquire(request);
		}

		@Override
		public List<RenewalResult> renewAll(List<? extends LockLease> leases, Duration leaseTime) {
			this.calls.incrementAndGet();
			List<RenewalResult> results = this.delegate.renewAll(leases, leaseTime);
			this.renewed.addAndGet(results.stream().filter(RenewalResult::isRenewed).count());
			return results;
		}

		@Override
		public String backendName() {
			return this.delegate.backendName();
		}
	}
}
