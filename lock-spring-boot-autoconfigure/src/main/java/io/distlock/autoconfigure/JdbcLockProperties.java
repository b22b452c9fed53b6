package io.distlock.autoconfigure;

import java.time.Duration;

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
	 * First delay between two polls of a caller waiting for a lock; the delay doubles up to
	 * max-poll-interval. Waiting polls only read.
	 */
	private Duration minPollInterval = Duration.ofMillis(4);

	/**
	 * Longest delay between two polls while no release notification can come: MariaDB, MySQL and H2
	 * always, PostgreSQL while its listening connection is down. With notifications, waiters still poll
	 * five times less often, for leases that end without a release.
	 */
	private Duration maxPollInterval = Duration.ofMillis(100);

	/**
	 * On PostgreSQL, whether a release wakes the waiters of every instance by LISTEN/NOTIFY. Takes one
	 * connection of the DataSource's pool, when the first caller waits, for as long as the application runs.
	 */
	private boolean notifyReleases = true;

	/**
	 * Longest time one lock statement may take, getting a connection from the pool included. Renewal and
	 * release never block longer, and an acquire returns at most this long after its wait time.
	 */
	private Duration statementTimeout = Duration.ofSeconds(2);

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

	public Duration getMinPollInterval() {
		return this.minPollInterval;
	}

	public void setMinPollInterval(Duration minPollInterval) {
		this.minPollInterval = minPollInterval;
	}

	public Duration getMaxPollInterval() {
		return this.maxPollInterval;
	}

	public void setMaxPollInterval(Duration maxPollInterval) {
		this.maxPollInterval = maxPollInterval;
	}

	public boolean isNotifyReleases() {
		return this.notifyReleases;
	}

	public void setNotifyReleases(boolean notifyReleases) {
		this.notifyReleases = notifyReleases;
	}

	public Duration getStatementTimeout() {
		return this.statementTimeout;
	}

	public void setStatementTimeout(Duration statementTimeout) {
		this.statementTimeout = statementTimeout;
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
