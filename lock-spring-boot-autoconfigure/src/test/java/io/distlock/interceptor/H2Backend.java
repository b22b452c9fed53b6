package io.distlock.interceptor;

import javax.sql.DataSource;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real backend that an interceptor test can break as an operator would: the JDBC backend on a fresh
 * in-memory H2 database per context.
 */
final class H2Backend {

	private H2Backend() {
	}

	/** A runner for contexts whose locks live in their own H2 database. */
	static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, DistributedLockAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:interceptor" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
	}

	/** Runs {@code sql} on the context's database. */
	static void execute(ApplicationContext context, String sql) {
		new JdbcTemplate(context.getBean(DataSource.class)).execute(sql);
	}
}
