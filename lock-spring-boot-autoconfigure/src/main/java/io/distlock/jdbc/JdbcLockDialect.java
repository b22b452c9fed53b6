package io.distlock.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The SQL of the lock table for one database family. Every statement judges time by the database's
 * clock ({@code now()}, {@code UTC_TIMESTAMP}, {@code CURRENT_TIMESTAMP}) and lease arithmetic is done
 * in SQL: the application sends lease lengths, ids and owners, never a point in time.
 *
 * <p>Statements use named parameters ({@link NamedSql}): {@code :id}, {@code :name}, {@code :key},
 * {@code :owner}, {@code :lease} (milliseconds), {@code :hold} (milliseconds), {@code :heldOwner},
 * {@code :interestKey} (the advisory lock key of {@link PostgresReleaseListener}).
 *
 * <ul>
 * <li><b>Acquire</b> is one statement that inserts the row, or takes over an expired one, or re-takes a
 * row this very owner holds (an attempt whose answer was lost to a broken connection is retried with
 * the same owner and gets its lock back, not a refusal), and returns the token; no row when someone
 * else holds the lock. On PostgreSQL it writes nothing then (no row lock, no transaction id); on
 * MariaDB and MySQL the provider reads first when it polls again ({@link #heldByOtherSql}).</li>
 * <li><b>Token</b>: {@code GREATEST(previous + 1, database time in microseconds)}, and the database
 * time for a new row, so tokens keep rising even after an operator deleted the row (as long as the
 * database's clock does not go back by more than the time between two acquisitions).</li>
 * <li><b>Release</b> keeps the row (the token lives in it) and marks it free: {@code owner} NULL and
 * {@code expires_at} at the epoch, so a free row is expired whatever the clock does later.</li>
 * </ul>
 */
enum JdbcLockDialect {

	/** PostgreSQL: a data-modifying CTE whose update and insert both match nothing when the lock is held. */
	POSTGRESQL("postgresql") {

		private static final String MICROS = "floor(extract(epoch FROM now()) * 1000000)::bigint";

		private static final String LEASE_END = "now() + :lease * INTERVAL '1 millisecond'";

		@Override
		String acquireSql(String table) {
			return "WITH cur AS (SELECT 1 FROM " + table + " WHERE id = :id), "
					+ "upd AS (UPDATE " + table + " AS l SET owner = :owner, "
					+ "token = CASE WHEN l.owner = :owner THEN l.token ELSE GREATEST(l.token + 1, " + MICROS + ") END, "
					+ "acquired_at = now(), expires_at = " + LEASE_END + " "
					+ "WHERE l.id = :id AND (l.expires_at <= now() OR l.owner = :owner) RETURNING l.token), "
					+ "ins AS (INSERT INTO " + table + " (id, lock_name, lock_key, owner, token, acquired_at, expires_at) "
					+ "SELECT :id, :name, :key, :owner, " + MICROS + ", now(), " + LEASE_END + " "
					+ "WHERE NOT EXISTS (SELECT 1 FROM cur) ON CONFLICT (id) DO NOTHING RETURNING token) "
					+ "SELECT token FROM upd UNION ALL SELECT token FROM ins";
		}

		@Override
		String renewSql(String table) {
			return "UPDATE " + table + " SET expires_at = " + LEASE_END + " WHERE id = :id AND owner = :owner AND expires_at > now()";
		}

		@Override
		String releaseSql(String table) {
			return "UPDATE " + table + " SET owner = NULL, expires_at = " + EPOCH_TZ + " WHERE id = :id AND owner = :owner";
		}

		/**
		 * Release plus a NOTIFY of the row id, sent only when some instance's listener holds the lock's
		 * shared advisory lock (it has waiters), which the exclusive try here detects without waiting.
		 */
		@Override
		@Nullable String releaseAndNotifySql(String table, String channel) {
			return "WITH r AS (" + releaseSql(table) + " RETURNING id) SELECT pg_notify('" + channel + "', r.id) FROM r "
					+ "WHERE NOT pg_try_advisory_xact_lock(:interestKey)";
		}

		@Override
		String releaseAfterSql(String table) {
			return "UPDATE " + table + " SET owner = :heldOwner, expires_at = now() + :hold * INTERVAL '1 millisecond' "
					+ "WHERE id = :id AND owner = :owner AND expires_at > now()";
		}

		@Override
		boolean acquireReturnsRows() {
			return true;
		}
	},

	/**
	 * MariaDB and MySQL: {@code INSERT … ON DUPLICATE KEY UPDATE} with the take-over condition inside each
	 * assignment. MySQL evaluates the assignments left to right, each seeing the ones before it, so
	 * {@code token} (which reads the old owner) comes first and {@code expires_at} (which the condition
	 * reads) last. The new token comes back in the OK packet through {@code LAST_INSERT_ID(expr)} (as the
	 * generated key), so no read-back is needed; the held branch sets it to 0 so that no earlier value on
	 * the pooled connection can leak in. Times are UTC ({@code UTC_TIMESTAMP}), whatever the session's
	 * time zone. The statement takes a row lock even when the lock is held, so polls read first.
	 */
	MYSQL("mysql") {

		private static final String NOW = "UTC_TIMESTAMP(3)";

		private static final String MICROS = "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))";

		private static final String TAKE = "(expires_at <= " + NOW + " OR owner <=> :owner)";

		private static final String LEASE_END = NOW + " + INTERVAL :lease * 1000 MICROSECOND";

		@Override
		String acquireSql(String table) {
			return "INSERT INTO " + table + " (id, lock_name, lock_key, owner, token, acquired_at, expires_at) "
					+ "VALUES (:id, :name, :key, :owner, LAST_INSERT_ID(" + MICROS + "), " + NOW + ", " + LEASE_END + ") "
					+ "ON DUPLICATE KEY UPDATE "
					+ "token = IF(" + TAKE + ", LAST_INSERT_ID(IF(owner <=> :owner, token, GREATEST(token + 1, " + MICROS + "))), "
					+ "token + LAST_INSERT_ID(0)), "
					+ "acquired_at = IF(" + TAKE + ", " + NOW + ", acquired_at), "
					+ "owner = IF(" + TAKE + ", :owner, owner), "
					+ "expires_at = IF(" + TAKE + ", " + LEASE_END + ", expires_at)";
		}

		@Override
		@Nullable String heldByOtherSql(String table) {
			return "SELECT 1 FROM " + table + " WHERE id = :id AND expires_at > " + NOW + " AND NOT (owner <=> :owner)";
		}

		@Override
		String renewSql(String table) {
			return "UPDATE " + table + " SET expires_at = " + LEASE_END + " WHERE id = :id AND owner = :owner AND expires_at > " + NOW;
		}

		@Override
		String releaseSql(String table) {
			return "UPDATE " + table + " SET owner = NULL, expires_at = '1970-01-01 00:00:00' WHERE id = :id AND owner = :owner";
		}

		@Override
		String releaseAfterSql(String table) {
			return "UPDATE " + table + " SET owner = :heldOwner, expires_at = " + NOW + " + INTERVAL :hold * 1000 MICROSECOND "
					+ "WHERE id = :id AND owner = :owner AND expires_at > " + NOW;
		}

		@Override
		boolean acquireReturnsRows() {
			return false;
		}
	},

	/** H2: {@code SELECT token FROM FINAL TABLE (MERGE INTO … WHEN MATCHED AND (expired OR mine) …)}. */
	H2("h2") {

		private static final String MICROS = "DATEDIFF(MICROSECOND, TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00', CURRENT_TIMESTAMP)";

		@Override
		String acquireSql(String table) {
			return "SELECT token FROM FINAL TABLE (MERGE INTO " + table + " AS l USING (VALUES (CAST(:id AS VARCHAR(64)), "
					+ "CAST(:name AS VARCHAR), CAST(:key AS VARCHAR), CAST(:owner AS VARCHAR(64)), CAST(:lease AS BIGINT))) "
					+ "AS s(id, lock_name, lock_key, owner, lease_ms) ON l.id = s.id "
					+ "WHEN MATCHED AND (l.expires_at <= CURRENT_TIMESTAMP OR l.owner = s.owner) THEN UPDATE SET "
					+ "token = CASE WHEN l.owner = s.owner THEN l.token ELSE GREATEST(l.token + 1, " + MICROS + ") END, "
					+ "owner = s.owner, acquired_at = CURRENT_TIMESTAMP, expires_at = DATEADD(MILLISECOND, s.lease_ms, CURRENT_TIMESTAMP) "
					+ "WHEN NOT MATCHED THEN INSERT (id, lock_name, lock_key, owner, token, acquired_at, expires_at) "
					+ "VALUES (s.id, s.lock_name, s.lock_key, s.owner, " + MICROS + ", CURRENT_TIMESTAMP, "
					+ "DATEADD(MILLISECOND, s.lease_ms, CURRENT_TIMESTAMP)))";
		}

		@Override
		String renewSql(String table) {
			return "UPDATE " + table + " SET expires_at = DATEADD(MILLISECOND, :lease, CURRENT_TIMESTAMP) "
					+ "WHERE id = :id AND owner = :owner AND expires_at > CURRENT_TIMESTAMP";
		}

		@Override
		String releaseSql(String table) {
			return "UPDATE " + table + " SET owner = NULL, expires_at = " + EPOCH_TZ + " WHERE id = :id AND owner = :owner";
		}

		@Override
		String releaseAfterSql(String table) {
			return "UPDATE " + table + " SET owner = :heldOwner, expires_at = DATEADD(MILLISECOND, :hold, CURRENT_TIMESTAMP) "
					+ "WHERE id = :id AND owner = :owner AND expires_at > CURRENT_TIMESTAMP";
		}

		@Override
		boolean acquireReturnsRows() {
			return true;
		}
	};

	private static final String EPOCH_TZ = "TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00'";

	private final String platform;

	JdbcLockDialect(String platform) {
		this.platform = platform;
	}

	/** Returns the platform name used in the schema script's name: {@code schema-<platform>.sql}. */
	String platform() {
		return this.platform;
	}

	/** Returns the class path location of this dialect's schema script. */
	String schemaLocation() {
		return "io/distlock/jdbc/schema-" + this.platform + ".sql";
	}

	/** The one-statement acquire: returns the token (a row, or the generated key), nothing when held. */
	abstract String acquireSql(String table);

	/** Whether {@link #acquireSql} answers with a result set ({@code false}: with the generated key). */
	abstract boolean acquireReturnsRows();

	/**
	 * A read that returns a row when someone else holds the lock, for databases whose acquire statement
	 * locks the row even when it changes nothing; {@code null} when the acquire itself writes nothing then.
	 */
	@Nullable String heldByOtherSql(String table) {
		return null;
	}

	/** Extends the lease if {@code :owner} still holds an unexpired lock. */
	abstract String renewSql(String table);

	/** Frees the row if {@code :owner} still owns it. */
	abstract String releaseSql(String table);

	/**
	 * Frees the row and tells waiting instances, or {@code null} when this database cannot notify (its
	 * waiters poll).
	 */
	@Nullable String releaseAndNotifySql(String table, String channel) {
		return null;
	}

	/**
	 * Leaves the lock taken for {@code :hold} ms more, under {@code :heldOwner}, which no lease owns: a
	 * renewal of {@code :owner} still on its way finds its owner gone and cannot extend the hold.
	 */
	abstract String releaseAfterSql(String table);

	/** Detects the dialect from the database's product name. */
	static JdbcLockDialect detect(DatabaseMetaData metaData) throws SQLException {
		String product = metaData.getDatabaseProductName();
		String normalized = (product != null) ? product.toLowerCase(Locale.ROOT) : "";
		if (normalized.contains("postgresql")) {
			return POSTGRESQL;
		}
		if (normalized.contains("mariadb") || normalized.contains("mysql")) {
			return MYSQL;
		}
		if (normalized.equals("h2")) {
			return H2;
		}
		throw new IllegalStateException("The JDBC lock backend does not support the database '" + product + "' ("
				+ metaData.getDatabaseProductVersion() + "): supported are PostgreSQL, MariaDB, MySQL and H2; use the Redis "
				+ "or ZooKeeper backend, or choose another DataSource with @LockDataSource");
	}
}
