package io.distlock.autoconfigure;

/** JDBC backend settings, under {@code distributed-lock.jdbc}. */
public class JdbcLockProperties {

	/**
	 * Name of the lock table: a plain SQL identifier (letters, digits and underscores), optionally
	 * schema-qualified as schema.table. Checked at startup.
	 */
	private String tableName = "distributed_lock";

	/**
	 * When to create the lock table at startup if it does not exist: always, embedded (only for an
	 * in-memory database such as H2) or never (Flyway, Liquibase or a DBA creates it). Either way the
	 * table must exist once the application has started.
	 */
	private InitializeSchema initializeSchema = InitializeSchema.EMBEDDED;

	/**
	 * When the JDBC backend creates its table, like Spring Boot's own schema initializers. The scripts are
	 * {@code classpath:io/distlock/jdbc/schema-<platform>.sql} ({@code postgresql}, {@code mysql}, {@code h2}).
	 */
	public enum InitializeSchema {

		/** Always create the table if it does not exist. */
		ALWAYS,

		/** Create it only for an embedded database. */
		EMBEDDED,

		/** Never create it: the schema is managed elsewhere (Flyway, Liquibase, a DBA). */
		NEVER

	}

	public String getTableName() {
		return this.tableName;
	}

	public void setTableName(String tableName) {
		this.tableName = tableName;
	}

	public InitializeSchema getInitializeSchema() {
		return this.initializeSchema;
	}

	public void setInitializeSchema(InitializeSchema initializeSchema) {
		this.initializeSchema = initializeSchema;
	}
}
