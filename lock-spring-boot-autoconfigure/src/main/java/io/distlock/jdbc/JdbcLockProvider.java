package io.distlock.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.distlock.core.Durations;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.OwnedLease;
import io.distlock.core.RenewalResult;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.support.SQLStateSQLExceptionTranslator;
import org.springframework.util.ClassUtils;

/**
 * Locks kept as rows of one table in a relational database (PostgreSQL, MariaDB, MySQL, H2), over
 * the application's {@link DataSource}.
 *
 * <p>Semantics:
 * <ul>
 * <li><b>One row per lock</b>, keyed by the SHA-256 of the stored name and key (so keys of any length
 * fit a primary key), with the name and key readable beside it. The row stays when the lock is
 * released; the fencing token in it rises on every acquisition ({@code GREATEST(previous + 1, the
 * database's time in µs)}), so tokens keep rising even if an operator deletes rows.</li>
 * <li><b>Database time only</b>: a lock is free when its {@code expires_at} has passed by the
 * database's clock; the application sends lease lengths, never timestamps.</li>
 * <li><b>One statement to acquire</b>, which inserts the row or takes over an expired one; renewal and
 * release are owner-checked updates (the owner is a unique id per acquisition, not per thread). An
 * attempt whose answer was lost to a broken connection is retried under the same owner and gets its
 * own lock back instead of waiting for it.</li>
 * <li><b>Waiting writes nothing</b>: on PostgreSQL the acquire statement matches no row while the lock
 * is held (no row lock, no transaction id, nothing for the holder's renewal to queue behind); on
 * MariaDB and MySQL a poll reads first and attempts only a lock that looks free.</li>
 * <li><b>Hand-over</b>: on PostgreSQL a release wakes the waiters of every instance through
 * {@code LISTEN/NOTIFY} ({@link PostgresReleaseListener}: one connection per provider, a notification
 * only when someone waits); elsewhere, and as the fallback, waiters poll with a capped, jittered
 * backoff ({@link JdbcLockOptions}). The core queues threads of one JVM locally, so only one of them
 * polls per lock.</li>
 * <li><b>Bounded</b>: every statement, connection acquisition included, ends within
 * {@link JdbcLockOptions#statementTimeout()}; an acquire retries transient errors (connection lost,
 * administrator shutdown, serialization failure, lock wait timeout, an exhausted pool) until its wait
 * time has passed and then fails with the last of them. So an acquire returns within its wait time
 * plus one statement timeout.</li>
 * <li><b>Own transactions</b>: every statement runs on a connection of its own and is committed at
 * once, never inside the caller's transaction, whatever proxies wrap the {@code DataSource}
 * ({@link LockConnections}): a lock around a {@code @Transactional} method is visible before the
 * transaction starts and outlives its commit or rollback.</li>
 * <li><b>Minimum hold</b> ({@link LockLease#releaseAfter(Duration)}): the row's expiry is set by the
 * database's clock and its owner changed, so the lock stays taken for the hold time even if this
 * process dies right after.</li>
 * <li><b>Not re-entrant</b> by itself (the core's {@code LockTemplate} handles re-entry), and not fair:
 * {@link #supportsFairLocks()} is {@code false}, so {@code fair = true} fails at startup.</li>
 * </ul>
 * A lease whose renewal the database refuses is lost; the core then tells the holder. Close the provider
 * to give back the listening connection.
 */
public class JdbcLockProvider implements LockProvider, AutoCloseable {

	private static final Log logger = LogFactory.getLog(JdbcLockProvider.class);

	private static final HexFormat HEX = HexFormat.of();

	private static final long MAX_LEASE_MILLIS = Duration.ofDays(3650).toMillis();

	/** A registered waiter polls this many times less often than the maximum poll interval. */
	private static final int NOTIFIED_POLL_FACTOR = 5;

	private static final boolean PGJDBC_PRESENT = ClassUtils.isPresent("org.postgresql.PGConnection",
			JdbcLockProvider.class.getClassLoader());

	private final String tableName;

	private final JdbcLockDialect dialect;

	private final JdbcLockOptions options;

	private final LockConnections connections;

	private final NamedSql acquireSql;

	private final @Nullable NamedSql heldByOtherSql;

	private final NamedSql renewSql;

	private final NamedSql releaseSql;

	private final NamedSql releaseAfterSql;

	private final @Nullable PostgresReleaseListener listener;

	private final String instanceId = UUID.randomUUID().toString();

	private final AtomicLong acquisitions = new AtomicLong();

	private final SQLStateSQLExceptionTranslator translator = new SQLStateSQLExceptionTranslator();

	/** Creates a provider over the table {@value JdbcLockSchema#DEFAULT_TABLE_NAME} with the default options. */
	public JdbcLockProvider(DataSource dataSource) {
		this(dataSource, JdbcLockSchema.DEFAULT_TABLE_NAME);
	}

	/** Creates a provider over {@code tableName} with the default options. */
	public JdbcLockProvider(DataSource dataSource, String tableName) {
		this(dataSource, tableName, JdbcLockOptions.DEFAULTS);
	}

	/**
	 * Creates a provider over {@code tableName}, detecting the database from its metadata (this opens
	 * one connection). The table is not created here: see {@link JdbcLockSchema#create}.
	 * @throws IllegalArgumentException if {@code tableName} is not a plain identifier
	 * @throws IllegalStateException if the database cannot be reached or is not supported (the message
	 * names it and lists the supported ones)
	 */
	public JdbcLockProvider(DataSource dataSource, String tableName, JdbcLockOptions options) {
		this.tableName = JdbcLockSchema.validateTableName(tableName);
		this.options = options;
		this.connections = new LockConnections(dataSource);
		try (Connection connection = dataSource.getConnection()) {
			this.dialect = JdbcLockDialect.detect(connection.getMetaData());
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not detect the database of the JDBC lock backend: " + ex.getMessage(), ex);
		}
		this.listener = (options.notifyReleases() && this.dialect == JdbcLockDialect.POSTGRESQL && PGJDBC_PRESENT)
				? new PostgresReleaseListener(dataSource, this.tableName) : null;
		this.acquireSql = NamedSql.parse(this.dialect.acquireSql(this.tableName));
		this.heldByOtherSql = NamedSql.parseIfPresent(this.dialect.heldByOtherSql(this.tableName));
		this.renewSql = NamedSql.parse(this.dialect.renewSql(this.tableName));
		String notifying = (this.listener != null) ? this.dialect.releaseAndNotifySql(this.tableName, this.listener.channel()) : null;
		this.releaseSql = NamedSql.parse((notifying != null) ? notifying : this.dialect.releaseSql(this.tableName));
		this.releaseAfterSql = NamedSql.parse(this.dialect.releaseAfterSql(this.tableName));
	}

	@Override
	public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
		Attempt attempt = new Attempt(rowId(request.storageName(), request.key()), request.storageName(), request.key(),
				this.instanceId + "-" + this.acquisitions.incrementAndGet(), leaseMillis(request.leaseTime()));
		long deadline = Durations.deadlineAfter(request.waitTime());
		Backoff backoff = new Backoff(this.options.minPollInterval().toNanos(), this.options.maxPollInterval().toNanos());
		PostgresReleaseListener.@Nullable ReleaseWait wait = null;
		boolean polled = false;
		@Nullable SQLException lastError = null;
		try {
			while (true) {
				if (Thread.interrupted()) {
					throw new InterruptedException("Interrupted while waiting for lock " + request.describe());
				}
				long sentAt = System.nanoTime();
				try {
					long token = tryAcquire(attempt, polled);
					if (token > 0) {
						return Optional.of(new JdbcLease(attempt, token, sentAt));
					}
					lastError = null;
				}
				catch (SQLException ex) {
					if (!SqlErrors.isTransient(ex)) {
						throw failed(attempt, ex);
					}
					lastError = ex;
				}
				polled = true;
				long remaining = Durations.remainingNanos(deadline);
				if (remaining <= 0) {
					if (lastError != null) {
						throw failed(attempt, lastError);
					}
					return Optional.empty();
				}
				if (wait == null && this.listener != null) {
					wait = this.listener.register(attempt.id());
				}
				sleep(wait, backoff, remaining);
			}
		}
		catch (InterruptedException ex) {
			if (lastError != null) {
				releaseLater(attempt); // the last attempt's outcome is unknown
			}
			throw ex;
		}
		finally {
			if (wait != null) {
				wait.close();
			}
		}
	}

	private void sleep(PostgresReleaseListener.@Nullable ReleaseWait wait, Backoff backoff, long remaining) throws InterruptedException {
		if (wait != null && wait.isRegistered()) {
			wait.await(Math.min(remaining, this.options.maxPollInterval().toNanos() * NOTIFIED_POLL_FACTOR));
		}
		else if (wait != null) {
			wait.await(Math.min(remaining, backoff.nextNanos())); // woken early when its registration completes
		}
		else {
			TimeUnit.NANOSECONDS.sleep(Math.min(remaining, backoff.nextNanos()));
		}
	}

	/**
	 * One attempt: the acquire statement, after a read on databases whose acquire locks a held row.
	 * @return the token, or 0 when someone else holds the lock
	 */
	private long tryAcquire(Attempt attempt, boolean polled) throws SQLException {
		return this.connections.run((connection) -> {
			if (polled && this.heldByOtherSql != null && exists(connection, this.heldByOtherSql, attempt.values())) {
				return 0L;
			}
			try {
				return acquireStatement(connection, attempt);
			}
			catch (SQLException ex) {
				// a concurrent first insert or a deadlock: someone else got it, as the next poll will show
				if (SqlErrors.isLostRace(ex)) {
					return 0L;
				}
				throw ex;
			}
		}, this.options.statementTimeout());
	}

	private long acquireStatement(Connection connection, Attempt attempt) throws SQLException {
		if (this.dialect.acquireReturnsRows()) {
			try (PreparedStatement statement = connection.prepareStatement(this.acquireSql.sql())) {
				this.acquireSql.bind(statement, attempt.values());
				try (ResultSet result = statement.executeQuery()) {
					return result.next() ? result.getLong(1) : 0;
				}
			}
		}
		try (PreparedStatement statement = connection.prepareStatement(this.acquireSql.sql(), Statement.RETURN_GENERATED_KEYS)) {
			this.acquireSql.bind(statement, attempt.values());
			statement.executeUpdate();
			try (ResultSet keys = statement.getGeneratedKeys()) {
				return keys.next() ? Math.max(0, keys.getLong(1)) : 0;
			}
		}
	}

	private static boolean exists(Connection connection, NamedSql sql, Map<String, Object> values) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql.sql())) {
			sql.bind(statement, values);
			try (ResultSet result = statement.executeQuery()) {
				return result.next();
			}
		}
	}

	/** The acquire failed: release what an attempt with an unknown outcome may have taken, and say why. */
	private RuntimeException failed(Attempt attempt, SQLException ex) {
		releaseLater(attempt);
		return translate("acquire lock", this.acquireSql.sql(), ex);
	}

	/** Owner-checked, off the caller's thread: the caller was promised a prompt answer. */
	private void releaseLater(Attempt attempt) {
		LockConnections.runLater(() -> {
			try {
				update(this.releaseSql, attempt.values());
			}
			catch (RuntimeException ex) {
				logger.debug("Could not clean up after a failed acquisition of " + attempt.name() + "; it expires with its lease", ex);
			}
		});
	}

	/** Runs one owner-checked update in its own transaction. */
	private void update(NamedSql sql, Map<String, Object> values) {
		try {
			this.connections.run((connection) -> {
				try (PreparedStatement statement = connection.prepareStatement(sql.sql())) {
					sql.bind(statement, values);
					return statement.execute();
				}
			}, this.options.statementTimeout());
		}
		catch (SQLException ex) {
			throw translate("update lock", sql.sql(), ex);
		}
	}

	/**
	 * Renews every lease in one transaction: one batch of owner-checked updates, in the order of the rows'
	 * ids so that two batches never wait for each other's rows in opposite orders.
	 */
	@Override
	public List<RenewalResult> renewAll(List<? extends LockLease> leases, Duration leaseTime) {
		List<JdbcLease> sorted = new ArrayList<>(leases.size());
		for (LockLease lease : leases) {
			sorted.add((JdbcLease) lease);
		}
		sorted.sort(Comparator.comparing((JdbcLease lease) -> lease.attempt.id()));
		Map<JdbcLease, RenewalResult> results = new HashMap<>();
		List<JdbcLease> open = new ArrayList<>();
		for (JdbcLease lease : sorted) {
			if (lease.ended) {
				results.put(lease, RenewalResult.REFUSED);
			}
			else {
				open.add(lease);
			}
		}
		long lease = leaseMillis(leaseTime);
		try {
			int[] counts = open.isEmpty() ? new int[0] : this.connections.run((connection) -> {
				boolean autoCommit = connection.getAutoCommit();
				connection.setAutoCommit(false);
				try (PreparedStatement statement = connection.prepareStatement(this.renewSql.sql())) {
					for (JdbcLease each : open) {
						Map<String, Object> values = new HashMap<>(each.attempt.values());
						values.put("lease", lease);
						this.renewSql.bind(statement, values);
						statement.addBatch();
					}
					int[] updated = statement.executeBatch();
					connection.commit();
					return updated;
				}
				finally {
					connection.setAutoCommit(autoCommit);
				}
			}, this.options.statementTimeout());
			for (int i = 0; i < open.size(); i++) {
				// SUCCESS_NO_INFO (-2) would be a driver that cannot say: only PostgreSQL, MariaDB and H2 run here, and they say
				results.put(open.get(i), (counts[i] == 1 || counts[i] == Statement.SUCCESS_NO_INFO) ? RenewalResult.RENEWED
						: RenewalResult.REFUSED);
			}
		}
		catch (SQLException | RuntimeException ex) {
			Exception error = (ex instanceof SQLException sql) ? translate("renew locks", this.renewSql.sql(), sql) : ex;
			open.forEach((each) -> results.put(each, RenewalResult.failed(error)));
		}
		List<RenewalResult> ordered = new ArrayList<>(leases.size());
		for (LockLease each : leases) {
			ordered.add(results.get((JdbcLease) each));
		}
		return ordered;
	}

	@Override
	public String backendName() {
		return "jdbc";
	}

	/**
	 * Checks that the lock table answers, within one statement timeout.
	 * @return the database, the table and, on PostgreSQL, the state of the release notifications
	 */
	@Override
	public Map<String, Object> checkHealth() throws Exception {
		Map<String, Object> details = new LinkedHashMap<>();
		String product = this.connections.run((connection) -> {
			if (!JdbcLockSchema.isUsable(connection, this.tableName)) {
				throw new IllegalStateException("The lock table '" + this.tableName + "' does not exist or lacks columns");
			}
			return connection.getMetaData().getDatabaseProductName() + " " + connection.getMetaData().getDatabaseProductVersion();
		}, this.options.statementTimeout());
		details.put("database", product);
		details.put("table", this.tableName);
		if (this.dialect == JdbcLockDialect.POSTGRESQL) {
			details.put("releaseNotifications", (this.listener != null) ? this.listener.state() : "off (waiters poll)");
		}
		return details;
	}

	/** Gives back the listening connection, if any. Locks held stay held until released or expired. */
	@Override
	public void close() {
		if (this.listener != null) {
			this.listener.close();
		}
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
		try {
			return this.connections.run((connection) -> JdbcLockSchema.isUsable(connection, this.tableName),
					this.options.statementTimeout());
		}
		catch (SQLException ex) {
			return false;
		}
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

	/** One acquisition's row and owner, and the values its statements bind. */
	private record Attempt(String id, String name, String key, String owner, long leaseMillis) {

		Map<String, Object> values() {
			Map<String, Object> values = new HashMap<>(8);
			values.put("id", this.id);
			values.put("name", this.name);
			values.put("key", this.key);
			values.put("owner", this.owner);
			values.put("lease", this.leaseMillis);
			values.put("interestKey", PostgresReleaseListener.interestKey(this.id));
			return values;
		}
	}

	/** One acquisition: its row, its unique owner and its token. */
	private final class JdbcLease extends OwnedLease {

		private final Attempt attempt;

		/** Set once a minimum hold was handed to the database: no renewal may follow. */
		private volatile boolean ended;

		JdbcLease(Attempt attempt, long token, long acquiredAt) {
			super(token, acquiredAt);
			this.attempt = attempt;
		}

		@Override
		protected boolean renewIfOwner(Duration leaseTime) throws Exception {
			RenewalResult result = renewAll(List.of(this), leaseTime).get(0);
			if (result.error() != null) {
				throw result.error();
			}
			return result.isRenewed();
		}

		@Override
		protected void releaseIfOwner() throws Exception {
			if (!this.ended) {
				update(JdbcLockProvider.this.releaseSql, this.attempt.values());
			}
		}

		@Override
		public boolean releaseAfter(Duration holdFor) throws Exception {
			if (holdFor.isNegative() || holdFor.isZero()) {
				release();
				return true;
			}
			this.ended = true;
			Map<String, Object> values = this.attempt.values();
			values.put("hold", leaseMillis(holdFor));
			// no lease owns this value: a renewal still on its way is refused, and the hold ends by the database's clock
			values.put("heldOwner", "~" + this.attempt.owner());
			update(JdbcLockProvider.this.releaseAfterSql, values);
			return true;
		}
	}
}
