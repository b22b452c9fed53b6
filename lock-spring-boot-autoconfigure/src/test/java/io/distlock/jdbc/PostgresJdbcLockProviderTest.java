package io.distlock.jdbc;

/** The JDBC backend on PostgreSQL (zonky embedded), with PostgreSQL's own faults. */
class PostgresJdbcLockProviderTest extends AbstractJdbcLockProviderTest {

	@Override
	protected JdbcTestDatabases.Server server() throws Exception {
		return JdbcTestDatabases.postgres();
	}
}
