package io.distlock.autoconfigure;

import javax.sql.DataSource;

import io.distlock.autoconfigure.JdbcLockProperties.InitializeSchema;
import io.distlock.core.LockProvider;
import io.distlock.jdbc.JdbcLockOptions;
import io.distlock.jdbc.JdbcLockProvider;
import io.distlock.jdbc.JdbcLockSchema;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The jdbc backend over the application's {@link DataSource} (the {@link LockDataSource} one, else the
 * only one or the {@code @Primary} one: see {@link LockDataSourceResolver}): validates
 * {@code distributed-lock.jdbc.table-name}, creates the table as {@code initialize-schema} says, and
 * fails startup if the table is then missing. Runs after Flyway, Liquibase and Spring Boot's SQL
 * initialization ({@link DependsOnDatabaseInitialization}), so a migration may create the table.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = { "javax.sql.DataSource", "org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy",
		"org.springframework.boot.jdbc.EmbeddedDatabaseConnection" })
@ConditionalOnMissingBean(LockProvider.class)
@Conditional(JdbcLockConfiguration.JdbcCondition.class)
class JdbcLockConfiguration {

	static final String TABLE_NAME_PROPERTY = "distributed-lock.jdbc.table-name";

	static final String INITIALIZE_SCHEMA_PROPERTY = "distributed-lock.jdbc.initialize-schema";

	@Bean
	@DependsOnDatabaseInitialization
	JdbcLockProvider jdbcLockProvider(ConfigurableListableBeanFactory beanFactory, DistributedLockProperties properties,
			Environment environment) {
		JdbcLockProperties jdbc = properties.getJdbc();
		String table = tableName(jdbc.getTableName());
		LockDataSourceResolver.Resolved resolved = LockDataSourceResolver.resolve(beanFactory);
		DataSource dataSource = resolved.dataSource();
		JdbcLockProvider provider;
		try {
			if (shouldInitialize(jdbc.getInitializeSchema(), dataSource)) {
				JdbcLockSchema.create(dataSource, table);
			}
			provider = new JdbcLockProvider(dataSource, table, options(jdbc));
		}
		catch (IllegalStateException ex) {
			// an unsupported or unreachable database: say which of possibly several DataSource beans it is
			throw new IllegalStateException(resolved.describe() + " cannot hold the locks: " + ex.getMessage(), ex);
		}
		if (!provider.isTableUsable()) {
			throw new IllegalStateException("The lock table '" + table + "' (" + TABLE_NAME_PROPERTY + ") does not exist or "
					+ "lacks columns in this " + provider.getPlatform() + " database (" + resolved.describe()
					+ "): create it with classpath:" + provider.getSchemaLocation()
					+ " (Flyway, Liquibase) or set " + INITIALIZE_SCHEMA_PROPERTY + "=always");
		}
		BackendSelection.log(LockBackend.JDBC, environment, "found a DataSource bean", resolved.describe()
				+ ", lock table '" + table + "' on " + provider.getPlatform());
		return provider;
	}

	private static JdbcLockOptions options(JdbcLockProperties jdbc) {
		try {
			return new JdbcLockOptions(jdbc.getMinPollInterval(), jdbc.getMaxPollInterval(), jdbc.isNotifyReleases(),
					jdbc.getStatementTimeout());
		}
		catch (IllegalArgumentException | NullPointerException ex) {
			throw new IllegalStateException("Invalid distributed-lock.jdbc.min-poll-interval, max-poll-interval or "
					+ "statement-timeout: " + ex.getMessage());
		}
	}

	private static String tableName(String configured) {
		try {
			return JdbcLockSchema.validateTableName(configured);
		}
		catch (IllegalArgumentException ex) {
			// not chained: this message says all, and is what a startup failure report shows first
			throw new IllegalStateException("Invalid " + TABLE_NAME_PROPERTY + ": " + ex.getMessage());
		}
	}

	/** Like Spring Boot's own initializers: embedded means an in-process database such as H2 in memory. */
	private static boolean shouldInitialize(InitializeSchema mode, DataSource dataSource) {
		return switch (mode) {
			case ALWAYS -> true;
			case NEVER -> false;
			case EMBEDDED -> EmbeddedDatabaseConnection.isEmbedded(dataSource);
		};
	}

	static class JdbcCondition extends BackendCondition {

		JdbcCondition() {
			super(LockBackend.JDBC);
		}

		@Override
		@Nullable String detect(ConditionContext context) {
			return beanPresent(context, "javax.sql.DataSource");
		}
	}
}
