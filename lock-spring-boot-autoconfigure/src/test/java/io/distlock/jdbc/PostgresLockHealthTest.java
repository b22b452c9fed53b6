package io.distlock.jdbc;

import javax.sql.DataSource;

import io.distlock.actuate.AbstractLockHealthTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The health contributor on the JDBC backend, with an embedded PostgreSQL of its own (not the shared one:
 * it is stopped here) on a pool that gives up on a connection after one second.
 */
class PostgresLockHealthTest extends AbstractLockHealthTest {

	private static JdbcTestDatabases.Postgres server;

	@BeforeAll
	static void startPostgres() throws Exception {
		server = new JdbcTestDatabases.Postgres();
	}

	@AfterAll
	static void stopPostgres() throws Exception {
		server.stop();
	}

	@Override
	protected ApplicationContextRunner backend() {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + server.url(), "spring.datasource.username=" + server.user(),
					"spring.datasource.password=" + server.password(), "spring.datasource.hikari.connection-timeout=1000",
					"spring.datasource.hikari.validation-timeout=500", "distributed-lock.backend=jdbc",
					"distributed-lock.jdbc.initialize-schema=always");
	}

	@Override
	protected String backendName() {
		return "jdbc";
	}

	@Override
	protected void stopServer() throws Exception {
		server.stop();
	}

	@Override
	protected void startServer() throws Exception {
		server.start();
	}

	@Test
	void downWhileTheLockTableIsMissing() {
		runner().run((context) -> {
			HealthIndicator indicator = contributor(context);
			assertThat(indicator.health().getDetails()).containsEntry("releaseNotifications", "idle (no caller has waited yet)");
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			jdbc.execute("ALTER TABLE distributed_lock RENAME TO distributed_lock_away");
			try {
				Health down = indicator.health();
				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(down.getDetails().get("error")).asString().contains("lock table 'distributed_lock'");
			}
			finally {
				jdbc.execute("ALTER TABLE distributed_lock_away RENAME TO distributed_lock");
			}
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
		});
	}
}
