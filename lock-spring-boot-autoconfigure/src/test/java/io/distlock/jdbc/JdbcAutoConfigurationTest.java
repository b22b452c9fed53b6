package io.distlock.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.time.Duration;

import javax.sql.DataSource;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.autoconfigure.LockDataSource;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;
import io.distlock.local.InMemoryLockProvider;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Auto-configuration of the JDBC backend: selection, the choice among several {@code DataSource} beans
 * ({@code @LockDataSource}, {@code @Primary}, the only one), table name, schema initialization modes.
 * Each H2 database has its own name, so a test can tell which one received the lock table.
 */
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
			assertThat(output).contains("Distributed locks use the jdbc backend: found a DataSource bean")
				.contains("DataSource bean 'dataSource' (the only one)");
		});
	}

	@Test
	void fairLocksFailStartupNamingTheMethodAndTheBackend() {
		this.runner.withPropertyValues(h2Url()).withUserConfiguration(FairJob.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasMessageContainingAll("FairJob.run", "fair = true", "jdbc backend cannot grant");
		});
	}

	@Test
	void pollIntervalsOutOfOrderFailStartupNamingTheProperties() {
		this.runner.withPropertyValues(h2Url(), "distributed-lock.jdbc.min-poll-interval=1s",
				"distributed-lock.jdbc.max-poll-interval=10ms").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().message()
				.contains("distributed-lock.jdbc.min-poll-interval", "must not exceed maxPollInterval");
		});
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class FairJob {

		@org.springframework.context.annotation.Bean
		FairJob fairJob() {
			return new FairJob();
		}

		@io.distlock.annotation.DistributedLocked(name = "queue", fair = true)
		public void run() {
		}
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

	@Test
	void theMarkedDataSourceWinsOverThePrimaryOne(CapturedOutput output) {
		withPrimary("main").withUserConfiguration(MarkedLocks.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertLocksAreIn(context.getBean("locks", DataSource.class), context.getBean("main", DataSource.class),
					context.getBean(LockTemplate.class));
			assertThat(output).contains("DataSource bean 'locks' (marked @LockDataSource)");
		});
	}

	@Test
	void aMarkedDataSourceThatIsNoDefaultCandidateIsUsedBesideSpringBootsOwn() {
		// not a default candidate: Spring Boot still auto-configures the application's DataSource
		this.runner.withPropertyValues(h2Url()).withUserConfiguration(HiddenMarkedLocks.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertLocksAreIn(context.getBean("locks", DataSource.class), context.getBean("dataSource", DataSource.class),
					context.getBean(LockTemplate.class));
		});
	}

	@Test
	void thePrimaryDataSourceIsUsedWhenNoneIsMarked(CapturedOutput output) {
		withPrimary("main").withBean("reporting", DataSource.class, () -> h2("reporting")).run((context) -> {
			assertThat(context).hasNotFailed();
			assertLocksAreIn(context.getBean("main", DataSource.class), context.getBean("reporting", DataSource.class),
					context.getBean(LockTemplate.class));
			assertThat(output).contains("DataSource bean 'main' (@Primary)");
		});
	}

	@Test
	void aSingleUserDataSourceIsUsed(CapturedOutput output) {
		this.runner.withBean("orders", DataSource.class, () -> h2("orders")).withPropertyValues("distributed-lock.backend=jdbc")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LockProvider.class)).isInstanceOf(JdbcLockProvider.class);
				context.getBean(LockTemplate.class).run("orders", "1", Duration.ZERO, () -> { });
				assertThat(hasLockTable(context.getBean("orders", DataSource.class))).isTrue();
				// named although the backend was chosen by the property, not detected
				assertThat(output).contains("Distributed locks use the jdbc backend: distributed-lock.backend=jdbc")
					.contains("DataSource bean 'orders' (the only one)");
			});
	}

	@Test
	void severalUnmarkedDataSourcesFailStartupNamingThemInsteadOfFallingBackToInMemory() {
		twoUnmarked().run((context) -> {
			assertThat(context).hasFailed();
			assertCannotChoose(context.getStartupFailure());
		});
	}

	@Test
	void severalUnmarkedDataSourcesFailStartupNamingThemWhenJdbcIsNamed() {
		twoUnmarked().withPropertyValues("distributed-lock.backend=jdbc")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertCannotChoose(context.getStartupFailure());
			});
	}

	@Test
	void twoMarkedDataSourcesFailStartupNamingBoth() {
		this.runner.withUserConfiguration(TwoMarked.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("@LockDataSource")
				.hasMessageContaining("'orders'")
				.hasMessageContaining("'billing'");
		});
	}

	@Test
	void anUnsupportedDatabaseFailsStartupNamingItTheBeanAndWhatIsSupported() {
		this.runner.withBean("sqlServer", DataSource.class,
				() -> reportingProduct(h2("mssql"), "Microsoft SQL Server")).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("'Microsoft SQL Server'")
				.hasMessageContaining("PostgreSQL, MariaDB, MySQL and H2");
			assertThat(context.getStartupFailure()).hasStackTraceContaining("DataSource bean 'sqlServer'");
		});
	}

	private ApplicationContextRunner withPrimary(String name) {
		return this.runner.withBean(name, DataSource.class, () -> h2(name), (definition) -> definition.setPrimary(true));
	}

	private ApplicationContextRunner twoUnmarked() {
		return this.runner.withBean("orders", DataSource.class, () -> h2("orders"))
			.withBean("billing", DataSource.class, () -> h2("billing"));
	}

	private static void assertCannotChoose(Throwable failure) {
		assertThat(failure).rootCause()
			.hasMessageContaining("'orders'")
			.hasMessageContaining("'billing'")
			.hasMessageContaining("@io.distlock.autoconfigure.LockDataSource")
			.hasMessageContaining("@Primary");
	}

	/** Takes a lock and checks that its row is in {@code expected} and that {@code other} has no lock table. */
	private static void assertLocksAreIn(DataSource expected, DataSource other, LockTemplate template) {
		try (LockHandle handle = template.tryAcquire("orders", "7", Duration.ZERO).orElseThrow()) {
			assertThat(new JdbcTemplate(expected)
				.queryForObject("SELECT lock_key FROM distributed_lock WHERE lock_name = 'orders'", String.class)).isEqualTo("7");
		}
		assertThat(hasLockTable(other)).isFalse();
	}

	private static boolean hasLockTable(DataSource dataSource) {
		Integer tables = new JdbcTemplate(dataSource).queryForObject(
				"SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'DISTRIBUTED_LOCK'", Integer.class);
		return tables != null && tables > 0;
	}

	private static DataSource h2(String name) {
		JdbcDataSource h2 = new JdbcDataSource();
		h2.setURL("jdbc:h2:mem:" + name + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		return h2;
	}

	/** {@code target}, except that its connections' metadata report {@code product} as the database. */
	private static DataSource reportingProduct(DataSource target, String product) {
		ResultRewriter rewriter = new ResultRewriter() {

			@Override
			public @Nullable Object rewrite(Method method, @Nullable Object result) {
				return switch (method.getName()) {
					case "getConnection" -> proxy(Connection.class, (Connection) result, this);
					case "getMetaData" -> proxy(DatabaseMetaData.class, (DatabaseMetaData) result, this);
					case "getDatabaseProductName" -> product;
					default -> result;
				};
			}
		};
		return proxy(DataSource.class, target, rewriter);
	}

	private static <T> T proxy(Class<T> type, @Nullable T target, ResultRewriter rewriter) {
		InvocationHandler handler = (proxy, method, args) -> {
			try {
				return rewriter.rewrite(method, method.invoke(target, args));
			}
			catch (InvocationTargetException ex) {
				throw ex.getTargetException();
			}
		};
		return type.cast(Proxy.newProxyInstance(JdbcAutoConfigurationTest.class.getClassLoader(), new Class<?>[] { type }, handler));
	}

	private interface ResultRewriter {

		@Nullable Object rewrite(Method method, @Nullable Object result);
	}

	@Configuration(proxyBeanMethods = false)
	static class MarkedLocks {

		@Bean
		@LockDataSource
		DataSource locks() {
			return h2("locks");
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class HiddenMarkedLocks {

		@Bean(defaultCandidate = false)
		@LockDataSource
		DataSource locks() {
			return h2("locks");
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoMarked {

		@Bean
		@LockDataSource
		DataSource orders() {
			return h2("orders");
		}

		@Bean
		@LockDataSource
		DataSource billing() {
			return h2("billing");
		}
	}
}
