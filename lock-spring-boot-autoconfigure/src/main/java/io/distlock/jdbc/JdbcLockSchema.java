package io.distlock.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.jdbc.datasource.init.ScriptException;
import org.springframework.jdbc.datasource.init.ScriptUtils;

/**
 * The lock table's name and schema scripts ({@code io/distlock/jdbc/schema-<platform>.sql}, written
 * for the default name {@code distributed_lock}; copy them into Flyway or Liquibase as they are).
 *
 * <p>{@link #create(DataSource, String)} runs the script for the detected database. The scripts use
 * {@code CREATE TABLE IF NOT EXISTS}, and when several instances start at once and one loses the race
 * inside the database's catalog (PostgreSQL can report a duplicate type then), creation counts as done
 * as soon as the table is usable.
 */
public final class JdbcLockSchema {

	/** The default table name, the one the scripts are written for. */
	public static final String DEFAULT_TABLE_NAME = "distributed_lock";

	private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

	private static final Pattern DEFAULT_NAME = Pattern.compile("\\b" + DEFAULT_TABLE_NAME + "\\b");

	private JdbcLockSchema() {
	}

	/**
	 * Checks that {@code tableName} is a plain SQL identifier, optionally qualified by a schema
	 * ({@code locks} or {@code app.locks}): letters, digits and underscores, not starting with a digit.
	 * The name is put into SQL as it is, so anything else is refused.
	 * @return the name
	 * @throws IllegalArgumentException saying what is wrong with it
	 */
	public static String validateTableName(String tableName) {
		if (tableName == null || tableName.isBlank()) {
			throw new IllegalArgumentException("the lock table name must not be empty");
		}
		String[] parts = tableName.split("\\.", -1);
		if (parts.length > 2) {
			throw new IllegalArgumentException("'" + tableName + "' is not a table name: use 'table' or 'schema.table'");
		}
		for (String part : parts) {
			if (!IDENTIFIER.matcher(part).matches()) {
				throw new IllegalArgumentException("'" + tableName + "' is not a plain SQL identifier: use letters, digits "
						+ "and underscores (at most 63, not starting with a digit), optionally as 'schema.table'");
			}
		}
		return tableName;
	}

	/** Creates the lock table if it does not exist, with the script for the database behind {@code dataSource}. */
	public static void create(DataSource dataSource, String tableName) {
		validateTableName(tableName);
		try (Connection connection = dataSource.getConnection()) {
			JdbcLockDialect dialect = JdbcLockDialect.detect(connection.getMetaData());
			String script = script(dialect, tableName);
			try {
				ScriptUtils.executeSqlScript(connection, new ByteArrayResource(script.getBytes(StandardCharsets.UTF_8)));
				commitIfNeeded(connection);
			}
			catch (ScriptException ex) {
				rollbackIfNeeded(connection);
				// another instance created it concurrently: fine if the table now answers
				if (!isUsable(connection, tableName)) {
					throw new IllegalStateException("Could not create the lock table '" + tableName + "' with "
							+ dialect.schemaLocation() + ": " + ex.getMessage(), ex);
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create the lock table '" + tableName + "': " + ex.getMessage(), ex);
		}
	}

	/** Returns the creation script for {@code dialect}, rewritten for {@code tableName}. */
	static String script(JdbcLockDialect dialect, String tableName) {
		try (InputStream in = JdbcLockSchema.class.getClassLoader().getResourceAsStream(dialect.schemaLocation())) {
			if (in == null) {
				throw new IllegalStateException("Missing " + dialect.schemaLocation() + " on the class path");
			}
			String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			return DEFAULT_NAME.matcher(script).replaceAll(Matcher.quoteReplacement(tableName));
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not read " + dialect.schemaLocation(), ex);
		}
	}

	/** Returns whether the lock table exists with the columns the backend uses. */
	static boolean isUsable(Connection connection, String tableName) {
		try (Statement statement = connection.createStatement()) {
			statement.executeQuery("SELECT id, lock_name, lock_key, owner, token, acquired_at, expires_at FROM " + tableName
					+ " WHERE 1 = 0").close();
			commitIfNeeded(connection);
			return true;
		}
		catch (SQLException ex) {
			rollbackIfNeeded(connection);
			return false;
		}
	}

	private static void commitIfNeeded(Connection connection) throws SQLException {
		if (!connection.getAutoCommit()) {
			connection.commit();
		}
	}

	private static void rollbackIfNeeded(Connection connection) {
		try {
			if (!connection.getAutoCommit()) {
				connection.rollback();
			}
		}
		catch (SQLException ex) {
			// the connection is broken; the pool discards it
		}
	}
}
