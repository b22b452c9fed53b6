package io.distlock.jdbc;

import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import io.distlock.testsupport.AbstractPauseChaosTest;
import io.distlock.testsupport.ChildJvm;
import org.junit.jupiter.api.BeforeAll;

/** The pause-and-fence chaos suite on embedded PostgreSQL: expiry by the database's clock, token from the row. */
class PostgresPauseChaosTest extends AbstractPauseChaosTest {

	private static final Duration LEASE = Duration.ofSeconds(3);

	@BeforeAll
	static void createLockTable() throws Exception {
		try (HikariDataSource dataSource = JdbcTestDatabases.postgres().pool("schema", 1, null)) {
			JdbcLockSchema.create(dataSource, JdbcLockSchema.DEFAULT_TABLE_NAME);
		}
	}

	@Override
	protected ChildJvm startHolder() throws Exception {
		JdbcTestDatabases.Server db = JdbcTestDatabases.postgres();
		return ChildJvm.start(JdbcHolderMain.class, db.url(), db.user(), db.password(), Long.toString(LEASE.toMillis()));
	}

	@Override
	protected Duration lease() {
		return LEASE;
	}
}
