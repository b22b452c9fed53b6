package io.distlock.sample.scheduledreport.demo;

import java.sql.SQLException;

import org.h2.tools.Server;

/**
 * An H2 TCP server on a free port with one in-memory database that every demo instance connects to: the jdbc
 * backend's lock table lives there, as it would in the database that the instances of an application share. It
 * accepts local connections only, and its database disappears with it.
 */
final class SharedDatabase implements AutoCloseable {

	private final Server server;

	private SharedDatabase(Server server) {
		this.server = server;
	}

	static SharedDatabase start() throws SQLException {
		// -ifNotExists: the first instance to connect creates the database
		return new SharedDatabase(Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start());
	}

	/** The JDBC URL of the shared database; named after the port, so that it meets no other in-memory database. */
	String url() {
		int port = this.server.getPort();
		return "jdbc:h2:tcp://localhost:" + port + "/mem:scheduled-report-demo-" + port + ";DB_CLOSE_DELAY=-1";
	}

	@Override
	public void close() {
		this.server.stop();
	}
}
