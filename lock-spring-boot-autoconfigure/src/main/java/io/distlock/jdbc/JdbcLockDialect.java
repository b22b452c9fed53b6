package io.distlock.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The SQL of the lock table for one database family. Every statement judges time by the database's
 * clock ({@code now()}, {@code UTC_TIMESTAMP(3)}, {@code CURRENT_TIMESTAMP}) and lease arithmetic is
 * done in SQL: the application sends only a lease length in milliseconds, never a point in time.
 *
 * <p>Acquire is one statement that inserts the row or takes over an <em>expired</em> one, raising the
 * fencing token each time, and returns the new token (0 when the lock is held by someone else).
 * Release keeps the row (the token lives in it) and marks it free: {@code owner} NULL and
 * {@code expires_at} at the epoch, so a free row is expired whatever the clock does later.
 */
enum JdbcLockDialect {

	/** PostgreSQL: {@code INSERT … ON CONFLICT DO UPDATE … WHERE expired RETURNING token}. */
	POSTGRESQL("postgresql") {

		@Override
		String acquireSql(String table) {
			return "INSERT INTO " + table + " AS l (id, lock_name, lock_key, owner, token, acquired_at, expires_at) "
					+ "VALUES (?, ?, ?, ?, 1, now(), now() + ? * INTERVAL '1 millisecond') "
					+ "ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, token = l.token + 1, "
					+ "acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at "
					+ "WHERE l.expires_at <= now() RETURNING l.token";
		}

		@Override
		String renewSql(String table) {
			return "UPDATE " + table + " SET expires_at = now() + ? * INTERVAL '1 millisecond' "
					+ "WHERE id = ? AND owner = ? AND expires_at > now()";
		}

		@Override
		String releaseSql(String table) {
			return "UPDATE " + table + " SET owner = NULL, expires_at = TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00' "
					+ "WHERE id = ? AND owner = ?";
		}

		@Override
		long acquire(Connection connection, String sql, LockRow row) throws SQLException {
			try (PreparedStatement statement = connection.prepareStatement(sql)) {
				bindInsert(statement, row);
				statement.setLong(5, row.leaseMillis());
				try (ResultSet result = statement.executeQuery()) {
					return result.next() ? result.getLong(1) : 0;
				}
			}
		}
	},

	/**
	 * MariaDB and MySQL: {@code INSERT … ON DUPLICATE KEY UPDATE} with the expiry condition inside each
	 * assignment. MySQL evaluates the assignments left to right, each seeing the ones before it, so
	 * {@code expires_at} (which the condition reads) is assigned last. The new token comes back in the
	 * OK packet through {@code LAST_INSERT_ID(expr)} (as the generated key), so no read-back is needed;
	 * the held branch sets it to 0 explicitly so that no earlier value on the pooled connection can leak
	 * in. Times are {@code DATETIME(3)} in UTC ({@code UTC_TIMESTAMP(3)}), independent of session time zones.
	 */
	MYSQL("mysql") {

		private static final String EXPIRED = "expires_at <= UTC_TIMESTAMP(3)";

		@Override
		String acquireSql(String table) {
			return "INSERT INTO " + table + " (id, lock_name, lock_key, owner, token, acquired_at, expires_at) "
					+ "VALUES (?, ?, ?, ?, LAST_INSERT_ID(1), UTC_TIMESTAMP(3), UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND) "
					+ "ON DUPLICATE KEY UPDATE "
					+ "token = IF(" + EXPIRED + ", LAST_INSERT_ID(token + 1), token + LAST_INSERT_ID(0)), "
					+ "owner = IF(" + EXPIRED + ", ?, owner), "
					+ "acquired_at = IF(" + EXPIRED + ", UTC_TIMESTAMP(3), acquired_at), "
					+ "expires_at = IF(" + EXPIRED + ", UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, expires_at)";
		}

		@Override
		String renewSql(String table) {
			return "UPDATE " + table + " SET expires_at = UTC_TIMESTAMP(3) + INTERVAL ? * 1000 MICROSECOND "
					+ "WHERE id = ? AND owner = ? AND expires_at > UTC_TIMESTAMP(3)";
		}

		@Override
		String releaseSql(String table) {
			return "UPDATE " + table + " SET owner = NULL, expires_at = '1970-01-01 00:00:00' WHERE id = ? AND owner = ?";
		}

		@Override
		long acquire(Connection connection, String sql, LockRow row) throws SQLException {
			try (PreparedStatement statement = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
				bindInsert(statement, row);
				statement.setLong(5, row.leaseMillis() * 1000);
				statement.setString(6, row.owner());
				statement.setLong(7, row.leaseMillis() * 1000);
				statement.executeUpdate();
				try (ResultSet keys = statement.getGeneratedKeys()) {
					return keys.next() ? Math.max(0, keys.getLong(1)) : 0;
				}
			}
		}
	},

	/** H2: {@code SELECT token FROM FINAL TABLE (MERGE INTO … USING … WHEN MATCHED AND expired …)}. */
	H2("h2") {

		@Override
		String acquireSql(String table) {
			return "SELECT token FROM FINAL TABLE (MERGE INTO " + table + " AS l USING (VALUES (CAST(? AS VARCHAR(64)), "
					+ "CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR(64)), CAST(? AS BIGINT))) "
					+ "AS s(id, lock_name, lock_key, owner, lease_ms) ON l.id = s.id "
					+ "WHEN MATCHED AND l.expires_at <= CURRENT_TIMESTAMP THEN UPDATE SET owner = s.owner, token = l.token + 1, "
					+ "acquired_at = CURRENT_TIMESTAMP, expires_at = DATEADD(MILLISECOND, s.lease_ms, CURRENT_TIMESTAMP) "
					+ "WHEN NOT MATCHED THEN INSERT (id, lock_name, lock_key, owner, token, acquired_at, expires_at) "
					+ "VALUES (s.id, s.lock_name, s.lock_key, s.owner, 1, CURRENT_TIMESTAMP, "
					+ "DATEADD(MILLISECOND, s.lease_ms, CURRENT_TIMESTAMP)))";
		}

		@Override
		String renewSql(String table) {
			return "UPDATE " + table + " SET expires_at = DATEADD(MILLISECOND, ?, CURRENT_TIMESTAMP) "
					+ "WHERE id = ? AND owner = ? AND expires_at > CURRENT_TIMESTAMP";
		}

		@Override
		String releaseSql(String table) {
			return POSTGRESQL.releaseSql(table);
		}

		@Override
		long acquire(Connection connection, String sql, LockRow row) throws SQLException {
			return POSTGRESQL.acquire(connection, sql, row); // same parameters, token in a result set
		}
	};

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

	/** The one-statement acquire; parameters are bound by {@link #acquire}. */
	abstract String acquireSql(String table);

	/** Extends the lease if {@code owner} still holds an unexpired lock: parameters lease ms, id, owner. */
	abstract String renewSql(String table);

	/** Frees the row if {@code owner} still owns it: parameters id, owner. */
	abstract String releaseSql(String table);

	/**
	 * Runs the acquire statement.
	 * @return the new fencing token, or 0 when an unexpired lock of another owner is in the way
	 */
	abstract long acquire(Connection connection, String sql, LockRow row) throws SQLException;

	private static void bindInsert(PreparedStatement statement, LockRow row) throws SQLException {
		statement.setString(1, row.id());
		statement.setString(2, row.name());
		statement.setString(3, row.key());
		statement.setString(4, row.owner());
	}

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
		throw new IllegalStateException("The JDBC lock backend does not support the database '" + product
				+ "': supported are PostgreSQL, MariaDB, MySQL and H2");
	}

	/** One acquisition attempt's values. */
	record LockRow(String id, String name, String key, String owner, long leaseMillis) {
	}
}
