package io.distlock.jdbc;

import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.distlock.testsupport.HolderProcess;

/** A child application instance on the JDBC backend. Arguments: JDBC URL, user, password, lease in ms. */
public final class JdbcHolderMain {

	public static void main(String[] args) throws Exception {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(args[0]);
		config.setUsername(args[1]);
		config.setPassword(args[2]);
		config.setMaximumPoolSize(2);
		try (HikariDataSource dataSource = new HikariDataSource(config)) {
			HolderProcess.run(new JdbcLockProvider(dataSource), Duration.ofMillis(Long.parseLong(args[3])));
		}
	}
}
