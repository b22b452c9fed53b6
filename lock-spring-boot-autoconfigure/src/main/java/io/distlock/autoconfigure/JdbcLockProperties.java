package io.distlock.autoconfigure;

/** JDBC backend settings, under {@code distributed-lock.jdbc}. */
public class JdbcLockProperties {

	/** Name of the lock table; a plain SQL identifier, optionally schema-qualified. */
	private String tableName = "distributed_lock";

	/**
	 * When to create the lock table at startup: always, embedded (only for an embedded database such as
	 * H2) or never.
	 */
	private InitializeSchema initializeSchema = InitializeSchema.EMBEDDED;

	/** When the JDBC backend creates its table, like Spring Boot's own schema initializers. */
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
