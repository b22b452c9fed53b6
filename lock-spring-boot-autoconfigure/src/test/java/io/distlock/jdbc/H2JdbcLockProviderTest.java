package io.distlock.jdbc;

/** The JDBC backend on H2 (a TCP server, so that child JVMs share it). */
class H2JdbcLockProviderTest extends AbstractJdbcLockProviderTest {

	@Override
	protected JdbcTestDatabases.Server server() throws Exception {
		return JdbcTestDatabases.h2();
	}
}
