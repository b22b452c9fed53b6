package io.distlock.jdbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.testsupport.HistoryChecker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The JDBC backend on PostgreSQL (zonky embedded), with faults of the database and its connections. */
class PostgresJdbcLockProviderTest extends AbstractJdbcLockProviderTest {

	@Override
	protected JdbcTestDatabases.Postgres server() throws Exception {
		return JdbcTestDatabases.postgres();
	}

	@Test
	void holderKeepsItsLockWhenItsConnectionsAreTerminated() throws Exception {
		Duration lease = Duration.ofSeconds(3);
		Instance holder = newInstance(lease);
		Instance other = newInstance(lease);
		String applicationName = pool(holder).getPoolName();
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		for (int i = 0; i < 4; i++) {
			server().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
					+ applicationName + "'");
			Thread.sleep(lease.toMillis() / 2);
			assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		}
		// renewals that met a dead connection failed, the next ones on fresh connections succeeded
		assertThat(held.isHeld()).isTrue();
		held.close();
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void locksStayExclusiveAndTokensKeepRisingAcrossADatabaseRestart() throws Exception {
		Duration lease = Duration.ofSeconds(3);
		Instance[] apps = { newInstance(lease), newInstance(lease) };
		HistoryChecker history = new HistoryChecker();
		AtomicLong counter = new AtomicLong();
		AtomicLong increments = new AtomicLong();
		AtomicInteger failures = new AtomicInteger();
		AtomicBoolean stop = new AtomicBoolean();
		int threads = 4;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Instance app = apps[t % apps.length];
			String holder = "t" + t;
			futures.add(pool.submit(() -> {
				while (!stop.get()) {
					try {
						Optional<LockHandle> lock = app.template.tryAcquire(lockName(), "counter", Duration.ofSeconds(5));
						if (lock.isPresent()) {
							try (LockHandle handle = lock.get()) {
								long acquiredAt = System.nanoTime();
								long value = counter.get();
								Thread.sleep(1);
								counter.set(value + 1);
								increments.incrementAndGet();
								history.record(holder, handle.fencingToken(), acquiredAt, System.nanoTime(), !handle.isHeld());
							}
						}
					}
					catch (LockAcquisitionException ex) {
						failures.incrementAndGet(); // the database is down: nothing is held
						Thread.sleep(50);
					}
				}
				return null;
			}));
		}
		Thread.sleep(1000);
		long beforeRestart = increments.get();
		server().restart(500);
		long afterRestart = increments.get();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (increments.get() < afterRestart + 30 && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		stop.set(true);
		for (Future<?> future : futures) {
			future.get(1, TimeUnit.MINUTES);
		}
		pool.shutdown();
		assertThat(beforeRestart).as("locks taken before the restart").isPositive();
		assertThat(increments.get()).as("locks taken after the restart").isGreaterThanOrEqualTo(afterRestart + 30);
		assertThat(failures.get()).as("acquisitions that failed while the database was down").isPositive();
		assertThat(counter.get()).as("lost updates").isEqualTo(increments.get());
		history.assertValid();
	}
}
