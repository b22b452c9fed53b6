package io.distlock.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
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
import io.distlock.core.LockLease;
import io.distlock.core.LockRequest;
import io.distlock.testsupport.HistoryChecker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import static org.assertj.core.api.Assertions.assertThat;

/** The JDBC backend on PostgreSQL (zonky embedded), with faults of the database and its connections. */
class PostgresJdbcLockProviderTest extends AbstractJdbcLockProviderTest {

	/** Threads of this test's waiters, stopped after each test. */
	private final ExecutorService background = Executors.newCachedThreadPool();

	@AfterEach
	void stopBackground() {
		this.background.shutdownNow();
	}

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
						Optional<LockHandle> lock = app.template.tryAcquire(lockName(), "counter", Duration.ofSeconds(15));
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
		// waits retry through the restart (down for about 2 s) instead of failing at the first broken connection
		assertThat(failures.get()).as("acquisitions that failed although the database was back within their wait").isZero();
		assertThat(counter.get()).as("lost updates").isEqualTo(increments.get());
		history.assertValid();
	}

	@Test
	void failedPollsConsumeNoTransactionId() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		try (LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow()) {
			LockRequest poll = new LockRequest(lockName(), "k", lockName(), Duration.ZERO, Duration.ofSeconds(30));
			long before = nextTransactionId(holder);
			for (int i = 0; i < 1000; i++) {
				assertThat(waiter.provider.acquire(poll)).isEmpty();
			}
			// a few for the holder's renewals at most; a write per poll would be 1 000
			assertThat(nextTransactionId(holder) - before).as("transaction ids consumed by 1 000 failed polls").isLessThan(10);
			assertThat(held.isHeld()).isTrue();
		}
	}

	@Test
	void aWaiterNeverQueuesBehindTheHoldersRowLock() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		try (LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
				Connection renewal = pool(holder).getConnection()) {
			// the holder's renewal in flight: its row locked by an open transaction
			renewal.setAutoCommit(false);
			try (PreparedStatement update = renewal.prepareStatement("UPDATE distributed_lock SET expires_at = expires_at WHERE id = ?")) {
				update.setString(1, JdbcLockProvider.rowId(lockName(), "k"));
				assertThat(update.executeUpdate()).isOne();
			}
			LockRequest poll = new LockRequest(lockName(), "k", lockName(), Duration.ZERO, Duration.ofSeconds(30));
			Future<Optional<LockLease>> polled = this.background.submit(() -> waiter.provider.acquire(poll));
			assertThat(polled.get(5, TimeUnit.SECONDS)).as("a poll while the holder's row is locked").isEmpty();
			renewal.rollback();
			assertThat(held.isHeld()).isTrue();
		}
	}

	@Test
	void aWaitEndsWithinItsBoundWhileTheDatabaseIsPaused() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		Duration wait = Duration.ofSeconds(1);
		long started = System.nanoTime();
		Future<Optional<LockHandle>> waiting = this.background.submit(() -> {
			try {
				return waiter.template.tryAcquire(lockName(), "k", wait);
			}
			catch (LockAcquisitionException ex) {
				return Optional.empty(); // the database did not answer: fine, as long as it says so in time
			}
		});
		Thread.sleep(300);
		server().pause();
		try {
			assertThat(waiting.get(20, TimeUnit.SECONDS)).isEmpty();
			assertThat(Duration.ofNanos(System.nanoTime() - started))
				.isLessThan(wait.plus(JdbcLockOptions.DEFAULTS.statementTimeout()).plus(slack()));
		}
		finally {
			server().resume();
		}
		held.close();
		assertThat(waiter.template.tryAcquire(lockName(), "k", Duration.ofSeconds(10))).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void aWaitSurvivesItsConnectionsBeingTerminated() throws Exception {
		Instance holder = newInstance();
		Instance waiter = newInstance();
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		Future<Optional<LockHandle>> waiting = this.background.submit(() -> waiter.template.tryAcquire(lockName(), "k", Duration.ofSeconds(20)));
		for (int i = 0; i < 10; i++) {
			Thread.sleep(100);
			server().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
					+ pool(waiter).getPoolName() + "'");
		}
		held.close();
		try (LockHandle next = waiting.get(30, TimeUnit.SECONDS).orElseThrow()) {
			assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
		}
	}

	@Test
	void aReleaseWakesTheWaitersOfOtherInstancesAndNotifiesOnlyWhenSomeoneWaits() throws Exception {
		Instance holder = newInstance();
		Instance waiter = slowlyPollingInstance();
		try (Connection listening = pool(holder).getConnection(); Statement statement = listening.createStatement()) {
			statement.execute("LISTEN \"" + PostgresReleaseListener.channel(JdbcLockSchema.DEFAULT_TABLE_NAME) + "\"");
			holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow().close();
			Thread.sleep(200);
			assertThat(notifications(listening)).as("notifications of a release nobody waited for").isEmpty();
			for (int round = 0; round < 3; round++) {
				LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ofSeconds(5)).orElseThrow();
				long[] acquiredAt = new long[1];
				Future<Boolean> waiting = this.background.submit(() -> waiter.template.tryAcquire(lockName(), "k", Duration.ofSeconds(20))
					.map((handle) -> {
						acquiredAt[0] = System.nanoTime();
						handle.close();
						return true;
					})
					.orElse(false));
				Thread.sleep(500);
				long releasedAt = System.nanoTime();
				held.close();
				assertThat(waiting.get(30, TimeUnit.SECONDS)).isTrue();
				assertThat(Duration.ofNanos(acquiredAt[0] - releasedAt)).as("hand-over").isLessThan(Duration.ofSeconds(1));
			}
			assertThat(notifications(listening)).as("notifications of releases with a waiter").isNotEmpty();
			assertThat(waiter.provider.checkHealth()).containsEntry("releaseNotifications", "listening");
		}
	}

	@Test
	void aWaiterWhoseListenerIsCutOffStillGetsTheLockSoon() throws Exception {
		Instance holder = newInstance();
		Instance waiter = slowlyPollingInstance();
		LockHandle held = holder.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		Future<Optional<LockHandle>> waiting = this.background.submit(() -> waiter.template.tryAcquire(lockName(), "k", Duration.ofSeconds(20)));
		Thread.sleep(500);
		server().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
				+ pool(waiter).getPoolName() + "' AND query LIKE '%advisory%'");
		long releasedAt = System.nanoTime();
		held.close();
		assertThat(waiting.get(30, TimeUnit.SECONDS)).hasValueSatisfying(LockHandle::close);
		// by polling (at most 2 s apart) or by the listener's new registration; not 10 s later
		assertThat(Duration.ofNanos(System.nanoTime() - releasedAt)).isLessThan(Duration.ofSeconds(2).plus(slack()));
	}

	/**
	 * An instance whose waiters poll at most 2 s apart while unregistered, and only every 10 s once their
	 * listener registered them: a hand-over faster than that came by notification.
	 */
	private Instance slowlyPollingInstance() throws Exception {
		JdbcLockOptions slowPolls = new JdbcLockOptions(Duration.ofMillis(4), Duration.ofSeconds(2), true, Duration.ofSeconds(2));
		return newInstance(Setup.DEFAULT.withProvider((dataSource) -> new JdbcLockProvider(dataSource,
				JdbcLockSchema.DEFAULT_TABLE_NAME, slowPolls)), Duration.ofSeconds(30));
	}

	private long nextTransactionId(Instance instance) throws Exception {
		try (Connection connection = pool(instance).getConnection(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT txid_snapshot_xmax(txid_current_snapshot())")) {
			result.next();
			return result.getLong(1);
		}
	}

	private static List<PGNotification> notifications(Connection connection) throws Exception {
		PGNotification[] received = connection.unwrap(PGConnection.class).getNotifications(200);
		return (received != null) ? List.of(received) : List.of();
	}
}
