package io.distlock.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.distlock.core.Durations;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.OwnedLease;
import io.distlock.core.LockRequest;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.jdbc.support.SQLStateSQLExceptionTranslator;

/**
 * Locks kept as rows of one table in a relational database (PostgreSQL, MariaDB, MySQL, H2), over
 * the application's {@link DataSource}.
 *
 * <p>Semantics:
 * <ul>
 * <li><b>One row per lock</b>, keyed by the SHA-256 of the stored name and key (so keys of any length
 * fit a primary key), with the name and key readable beside it. The row stays when the lock is
 * released, so the fencing token in it rises by one on every acquisition, for ever: do not delete
 * rows if you rely on fencing tokens.</li>
 * <li><b>Database time only</b>: a lock is free when its {@code expires_at} has passed by the
 * database's clock; the application sends lease lengths, never timestamps. Instances with skewed
 * clocks or different time zones therefore agree.</li>
 * <li><b>One statement to acquire</b>, which inserts the row or takes over an expired one; renew and
 * release are owner-checked updates (the owner is a unique id per acquisition, not per thread).</li>
 * <li><b>Own transactions</b>: every statement runs on a connection taken from the data source for
 * that statement alone and is committed at once, never inside the caller's transaction, so a lock
 * around a {@code @Transactional} method is visible before the transaction starts and outlives its
 * commit or rollback. (A {@link TransactionAwareDataSourceProxy} is unwrapped for that reason.)</li>
 * <li><b>Waiting polls</b> with a capped, jittered backoff ({@link Backoff}); the core queues threads
 * of one JVM locally, so only one of them polls per lock.</li>
 * <li><b>Not re-entrant</b> by itself (the core's {@code LockTemplate} handles re-entry).</li>
 * </ul>
 * A lease whose renewal the database refuses is lost; the core then tells the holder.
 */
public class JdbcLockProvider implements LockProvider {

	private static final HexFormat HEX = HexFormat.of();

	private static final long MAX_LEASE_MILLIS = Duration.ofDays(3650).toMillis();

	private final DataSource dataSource;

	private final String tableName;

	private final JdbcLockDialect dialect;

	private final String acquireSql;

	private final String renewSql;

	private final String releaseSql;

	private final String instanceId = UUID.randomUUID().toString();

	private final AtomicLong acquisitions = new AtomicLong();

	private final SQLStateSQLExceptionTranslator translator = new SQLStateSQLExceptionTranslator();

	/** Creates a provider over the table {@value JdbcLockSchema#DEFAULT_TABLE_NAME}. */
	public JdbcLockProvider(DataSource dataSource) {
		this(dataSource, JdbcLockSchema.DEFAULT_TABLE_NAME);
	}

	/**
	 * Creates a provider over {@code tableName}, detecting the database from its metadata (this opens
	 * one connection). The table is not created here: see {@link JdbcLockSchema#create}.
	 * @throws IllegalArgumentException if {@code tableName} is not a plain identifier
	 * @throws IllegalStateException if the database cannot be reached or is not supported
	 */
	public JdbcLockProvider(DataSource dataSource, String tableName) {
		this.dataSource = (dataSource instanceof TransactionAwareDataSourceProxy proxy) ? proxy.getTargetDataSource()
				: dataSource;
		this.tableName = JdbcLockSchema.validateTableName(tableName);
		try (Connection connection = this.dataSource.getConnection()) {
			this.dialect = JdbcLockDialect.detect(connection.getMetaData());
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not detect the database of the JDBC lock backend: " + ex.getMessage(), ex);
		}
		this.acquireSql = this.dialect.acquireSql(this.tableName);
		this.renewSql = this.dialect.renewSql(this.tableName);
		this.releaseSql = this.dialect.releaseSql(this.tableName);
	}

	@Override
	public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
		String id = rowId(request.storageName(), request.key());
		long leaseMillis = leaseMillis(request.leaseTime());
		long deadline = Durations.deadlineAfter(request.waitTime());
		Backoff backoff = new Backoff();
		while (true) {
			if (Thread.interrupted()) {
				throw new InterruptedException("Interrupted while waiting for lock " + request.describe());
			}
			JdbcLockDialect.LockRow row = new JdbcLockDialect.LockRow(id, request.storageName(), request.key(),
					this.instanceId + "-" + this.acquisitions.incrementAndGet(), leaseMillis);
			long sentAt = System.nanoTime();
			long token = tryAcquire(row);
			if (token > 0) {
				return Optional.of(new JdbcLease(row.id(), row.owner(), token, sentAt));
			}
			long remaining = Durations.remainingNanos(deadline);
			if (remaining <= 0) {
				return Optional.empty();
			}
			TimeUnit.NANOSECONDS.sleep(Math.min(remaining, backoff.nextNanos()));
		}
	}

	@Override
	public String backendName() {
		return "jdbc";
	}

	/** Returns the lock table's name. */
	public String getTableName() {
		return this.tableName;
	}

	/** Returns the platform detected: {@code postgresql}, {@code mysql} (MariaDB too) or {@code h2}. */
	public String getPlatform() {
		return this.dialect.platform();
	}

	/** Returns the class path location of the schema script for the detected database. */
	public String getSchemaLocation() {
		return this.dialect.schemaLocation();
	}

	/** Returns whether the lock table exists with the expected columns. */
	public boolean isTableUsable() {
		try (Connection connection = this.dataSource.getConnection()) {
			return JdbcLockSchema.isUsable(connection, this.tableName);
		}
		catch (SQLException ex) {
			return false;
		}
	}

	/**
	 * One attempt. A lost race inside the database (two first inserts of one row, a deadlock) counts as
	 * "held by someone else". When the outcome is unknown (the connection broke), the row is released
	 * under this attempt's owner, best effort, so that no lock is left behind; it would expire anyway.
	 */
	private long tryAcquire(JdbcLockDialect.LockRow row) {
		try {
			return inOwnTransaction((connection) -> this.dialect.acquire(connection, this.acquireSql, row));
		}
		catch (SQLException ex) {
			if (isLostRace(ex)) {
				return 0;
			}
			try {
				update(this.releaseSql, row.id(), row.owner());
			}
			catch (RuntimeException cleanup) {
				ex.addSuppressed(cleanup);
			}
			throw translate("acquire lock", this.acquireSql, ex);
		}
	}

	/** Runs one owner-checked update in its own transaction and returns the row count. */
	private int update(String sql, Object... args) {
		try {
			return inOwnTransaction((connection) -> {
				try (PreparedStatement statement = connection.prepareStatement(sql)) {
					for (int i = 0; i < args.length; i++) {
						statement.setObject(i + 1, args[i]);
					}
					return statement.executeUpdate();
				}
			});
		}
		catch (SQLException ex) {
			throw translate("update lock", sql, ex);
		}
	}

	/**
	 * Runs {@code work} on a connection of its own, committed at once: with the pool's usual auto-commit
	 * the statement is its own transaction, otherwise it is committed (or rolled back) here.
	 */
	private <T> T inOwnTransaction(SqlWork<T> work) throws SQLException {
		try (Connection connection = this.dataSource.getConnection()) {
			boolean autoCommit = connection.getAutoCommit();
			try {
				T result = work.run(connection);
				if (!autoCommit) {
					connection.commit();
				}
				return result;
			}
			catch (SQLException | RuntimeException ex) {
				rollback(connection, autoCommit);
				throw ex;
			}
		}
	}

	@FunctionalInterface
	private interface SqlWork<T> {

		T run(Connection connection) throws SQLException;

	}

	private static void rollback(Connection connection, boolean autoCommit) {
		if (!autoCommit) {
			try {
				connection.rollback();
			}
			catch (SQLException ex) {
				// the connection is broken; the pool discards it
			}
		}
	}

	/** Unique violation of a concurrent first insert, deadlock or serialization failure, H2 lock timeout. */
	private static boolean isLostRace(SQLException ex) {
		String state = (ex.getSQLState() != null) ? ex.getSQLState() : "";
		return state.startsWith("40") || state.equals("23505") || (state.equals("23000") && ex.getErrorCode() == 1062)
				|| state.equals("HYT00") || ex.getErrorCode() == 90131;
	}

	private DataAccessException translate(String task, String sql, SQLException ex) {
		DataAccessException translated = this.translator.translate("JDBC lock backend: " + task, sql, ex);
		return (translated != null) ? translated : new UncategorizedSQLException("JDBC lock backend: " + task, sql, ex);
	}

	/** Returns the lease in milliseconds, at least 1 and at most ten years (SQL date ranges end; nobody waits that long). */
	static long leaseMillis(Duration leaseTime) {
		return Math.max(1, Math.min(MAX_LEASE_MILLIS, Durations.saturatedNanos(leaseTime) / 1_000_000));
	}

	/** Returns the primary key of a lock: SHA-256 (hex) of the stored name, a NUL and the key. */
	static String rowId(String storageName, String key) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update(storageName.getBytes(StandardCharsets.UTF_8));
			digest.update((byte) 0);
			digest.update(key.getBytes(StandardCharsets.UTF_8));
			return HEX.formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	/** One acquisition: its row, its unique owner id and its token. */
	private final class JdbcLease extends OwnedLease {

		private final String id;

		private final String owner;

		JdbcLease(String id, String owner, long token, long acquiredAt) {
			super(token, acquiredAt);
			this.id = id;
			this.owner = owner;
		}

		@Override
		protected boolean renewIfOwner(Duration leaseTime) {
			return update(JdbcLockProvider.this.renewSql, leaseMillis(leaseTime), this.id, this.owner) == 1;
		}

		@Override
		protected void releaseIfOwner() {
			update(JdbcLockProvider.this.releaseSql, this.id, this.owner);
		}
	}
}
