package io.distlock.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The JDBC contenders on PostgreSQL: Spring Integration's JdbcLockRegistry, ShedLock's
 * JdbcTemplateLockProvider, the raw limit ({@code INSERT} to take, {@code DELETE} to free, the harness
 * retrying), and a bare lock that waits by {@code LISTEN}/{@code NOTIFY} instead.
 */
final class JdbcContenders {

	static final String BACKEND = "jdbc";

	/** How long a waiter of the LISTEN/NOTIFY lock sleeps at most before it tries again (a lost notification). */
	private static final long NOTIFY_FALLBACK_MILLIS = 100;

	private JdbcContenders() {
	}

	static List<Contender> all(BenchmarkConfig config) {
		List<Contender> list = new ArrayList<>(OursContenders.forBackend(BACKEND, config));
		list.add(Contender.peer(BACKEND, "spring-integration jdbc", JdbcContenders::springIntegration));
		list.add(Contender.peer(BACKEND, "shedlock jdbc-template", (app) -> shedlock(app, config)));
		list.add(Contender.raw(BACKEND, "raw INSERT + DELETE", (app) -> raw(app, config)));
		list.add(Contender.raw(BACKEND, "raw LISTEN/NOTIFY", JdbcContenders::rawNotify));
		return list;
	}

	/** Creates the peers' tables (idempotent, so that an external database can be reused). */
	static void createTables(DataSource dataSource) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		// Spring Integration's INT_LOCK, as in its schema-postgresql.sql
		jdbc.execute("CREATE TABLE IF NOT EXISTS INT_LOCK (LOCK_KEY CHAR(36) NOT NULL, REGION VARCHAR(100) NOT NULL, "
				+ "CLIENT_ID CHAR(36), CREATED_DATE TIMESTAMP NOT NULL, EXPIRED_AFTER TIMESTAMP NOT NULL, "
				+ "constraint INT_LOCK_PK primary key (LOCK_KEY, REGION))");
		// ShedLock's documented table
		jdbc.execute("CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL, lock_until TIMESTAMP NOT NULL, "
				+ "locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
		jdbc.execute("CREATE TABLE IF NOT EXISTS bench_raw_lock (name VARCHAR(255) PRIMARY KEY, owner VARCHAR(36) NOT NULL)");
		jdbc.execute("CREATE TABLE IF NOT EXISTS bench_notify_lock (name VARCHAR(255) PRIMARY KEY, owner VARCHAR(36) NOT NULL)");
	}

	private static LockClient springIntegration(AppInstance app) throws Exception {
		DataSource dataSource = app.dataSource();
		createTables(dataSource);
		DefaultLockRepository repository = new DefaultLockRepository(dataSource);
		repository.setTransactionManager(new DataSourceTransactionManager(dataSource));
		repository.setTimeToLive(30_000);
		repository.afterPropertiesSet();
		repository.afterSingletonsInstantiated();
		repository.start();
		JdbcLockRegistry registry = new JdbcLockRegistry(repository);
		return LockClient.of(PeerLocks.of(registry), () -> {
			repository.stop();
			repository.close();
		});
	}

	/** ShedLock has no wait: like the raw limit, the harness retries after a short pause. */
	private static LockClient shedlock(AppInstance app, BenchmarkConfig config) throws Exception {
		DataSource dataSource = app.dataSource();
		createTables(dataSource);
		JdbcTemplateLockProvider provider = new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
			.withJdbcTemplate(new JdbcTemplate(dataSource))
			.usingDbTime()
			.build());
		return LockClient.of((key, wait) -> {
			long deadline = System.nanoTime() + wait.toNanos();
			while (true) {
				Optional<SimpleLock> lock = provider.lock(new LockConfiguration(Instant.now(), "bench-" + key, Duration.ofSeconds(30), Duration.ZERO));
				if (lock.isPresent()) {
					return lock.get()::unlock;
				}
				Spin.backOff(config, key, wait, deadline);
			}
		}, null);
	}

	/** The limit of any table lock: one autocommitted INSERT (no error on conflict) and one owner-checked DELETE. */
	private static LockClient raw(AppInstance app, BenchmarkConfig config) throws Exception {
		DataSource dataSource = app.dataSource();
		createTables(dataSource);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		return LockClient.of((key, wait) -> {
			String owner = UUID.randomUUID().toString();
			long deadline = System.nanoTime() + wait.toNanos();
			while (jdbc.update("INSERT INTO bench_raw_lock (name, owner) VALUES (?, ?) ON CONFLICT DO NOTHING", key, owner) != 1) {
				Spin.backOff(config, key, wait, deadline);
			}
			return () -> jdbc.update("DELETE FROM bench_raw_lock WHERE name = ? AND owner = ?", key, owner);
		}, null);
	}

	/**
	 * A bare lock on pgjdbc that waits by notification: take is an autocommitted {@code INSERT … ON CONFLICT DO
	 * NOTHING}; release is one autocommitted statement that deletes the owner's row and, in the same transaction,
	 * calls {@code pg_notify} with the name (only if a row was deleted; PostgreSQL delivers it at commit, after
	 * the delete is visible). A waiter sleeps on this instance's {@link PgReleaseListener} and retries on a
	 * notification for its name, or after {@value #NOTIFY_FALLBACK_MILLIS} ms in case one was lost.
	 */
	private static LockClient rawNotify(AppInstance app) throws Exception {
		DataSource dataSource = app.dataSource();
		createTables(dataSource);
		PgReleaseListener listener = new PgReleaseListener(app.postgresUrl(), AppInstance.POSTGRES_USER);
		return LockClient.of((key, wait) -> {
			String owner = UUID.randomUUID().toString();
			long deadline = System.nanoTime() + wait.toNanos();
			if (!tryInsert(dataSource, key, owner)) {
				PgReleaseListener.Waiters waiters = listener.enter(key);
				try {
					while (true) {
						long generation = PgReleaseListener.generation(waiters); // before the try: no lost wake-up
						if (tryInsert(dataSource, key, owner)) {
							break;
						}
						long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
						if (leftMillis <= 0) {
							throw LockClient.notAcquired(key, wait);
						}
						PgReleaseListener.await(waiters, generation, Math.min(leftMillis, NOTIFY_FALLBACK_MILLIS));
					}
				}
				finally {
					listener.leave(key);
				}
			}
			return () -> release(dataSource, key, owner);
		}, listener);
	}

	private static boolean tryInsert(DataSource dataSource, String key, String owner) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement insert = connection.prepareStatement("INSERT INTO bench_notify_lock (name, owner) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
			insert.setString(1, key);
			insert.setString(2, owner);
			return insert.executeUpdate() == 1;
		}
	}

	private static void release(DataSource dataSource, String key, String owner) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement delete = connection.prepareStatement("WITH released AS (DELETE FROM bench_notify_lock WHERE name = ? AND owner = ? "
						+ "RETURNING name) SELECT pg_notify('" + PgReleaseListener.CHANNEL + "', name) FROM released")) {
			delete.setString(1, key);
			delete.setString(2, owner);
			try (ResultSet notified = delete.executeQuery()) {
				if (!notified.next()) {
					throw new IllegalStateException("lock '" + key + "' was no longer held by " + owner + " at release");
				}
			}
		}
	}
}
