package io.distlock.jdbc;

import java.time.Duration;

import javax.sql.DataSource;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;
import io.distlock.local.InMemoryLockProvider;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** Auto-configuration of the JDBC backend: selection, table name, schema initialization modes. */
@ExtendWith(OutputCaptureExtension.class)
class JdbcAutoConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(DataSourceAutoConfiguration.class, DistributedLockAutoConfiguration.class));

	private static String h2Url() {
		return "spring.datasource.url=jdbc:h2:mem:autoconfig" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
	}

	@Test
	void aDataSourceSelectsJdbcAndTheTableIsCreatedOnAnEmbeddedDatabase(CapturedOutput output) {
		this.runner.withPropertyValues(h2Url()).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(LockProvider.class)).isInstanceOf(JdbcLockProvider.class);
			try (LockHandle handle = context.getBean(LockTemplate.class).tryAcquire("orders", "42", Duration.ZERO).orElseThrow()) {
				assertThat(new JdbcTemplate(context.getBean(DataSource.class))
					.queryForObject("SELECT lock_key FROM distributed_lock WHERE lock_name = 'orders'", String.class)).isEqualTo("42");
			}
			assertThat(output).contains("Distributed locks use the jdbc backend: found a DataSource bean");
		});
	}

	@Test
	void keyPrefixAndTableNameAreHonoured() {
		this.runner.withPropertyValues(h2Url(), "distributed-lock.jdbc.table-name=app_locks", "distributed-lock.key-prefix=billing:")
			.run((context) -> {
				try (LockHandle handle = context.getBean(LockTemplate.class).tryAcquire("orders", "", Duration.ZERO).orElseThrow()) {
					assertThat(new JdbcTemplate(context.getBean(DataSource.class))
						.queryForObject("SELECT lock_name FROM app_locks", String.class)).isEqualTo("billing:orders");
				}
			});
	}

	@Test
	void aTableNameThatIsNotAnIdentifierFailsStartup() {
		this.runner.withPropertyValues(h2Url(), "distributed-lock.jdbc.table-name=locks; DROP TABLE users").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("distributed-lock.jdbc.table-name")
				.hasMessageContaining("'locks; DROP TABLE users' is not a plain SQL identifier");
		});
	}

	@Test
	void neverLeavesTheTableToTheUserAndStartupSaysHowToCreateIt() {
		this.runner.withPropertyValues(h2Url(), "distributed-lock.jdbc.initialize-schema=never").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("lock table 'distributed_lock'")
				.hasMessageContaining("io/distlock/jdbc/schema-h2.sql")
				.hasMessageContaining("distributed-lock.jdbc.initialize-schema=always");
		});
	}

	@Test
	void embeddedLeavesAServerDatabaseAloneAndAlwaysCreatesTheTable() throws Exception {
		JdbcTestDatabases.Server postgres = JdbcTestDatabases.postgres();
		String table = "lock_mode_" + Long.toString(System.nanoTime(), 36);
		ApplicationContextRunner onPostgres = this.runner.withPropertyValues("spring.datasource.url=" + postgres.url(),
				"spring.datasource.username=" + postgres.user(), "distributed-lock.jdbc.table-name=" + table);
		onPostgres.run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("lock table '" + table + "'")
				.hasMessageContaining("schema-postgresql.sql");
		});
		onPostgres.withPropertyValues("distributed-lock.jdbc.initialize-schema=always").run((context) -> {
			assertThat(context).hasNotFailed();
			JdbcLockProvider provider = context.getBean(JdbcLockProvider.class);
			assertThat(provider.getPlatform()).isEqualTo("postgresql");
			assertThat(provider.getTableName()).isEqualTo(table);
			context.getBean(LockTemplate.class).run("n", "k", Duration.ZERO, () -> { });
			new JdbcTemplate(context.getBean(DataSource.class)).execute("DROP TABLE " + table);
		});
	}

	@Test
	void backendJdbcWithoutADataSourceFailsStartupWithAHint() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
			.withPropertyValues("distributed-lock.backend=jdbc")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("distributed-lock.backend=jdbc")
					.hasMessageContaining("spring-boot-starter-jdbc");
			});
	}

	@Test
	void withoutSpringJdbcADataSourceDoesNotSelectJdbc() {
		JdbcDataSource h2 = new JdbcDataSource();
		h2.setURL("jdbc:h2:mem:nospring" + System.nanoTime());
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.jdbc"))
			.withBean(DataSource.class, () -> h2)
			.run((context) -> assertThat(context.getBean(LockProvider.class)).isInstanceOf(InMemoryLockProvider.class));
	}
}
