package io.distlock.sample.flashsale.demo;

import java.sql.SQLException;

import org.h2.tools.Server;

/**
 * An H2 TCP server on a free port, holding one in-memory database that every demo instance connects to: the
 * stock and the lock table live there, as they would in a shared production database. It accepts local
 * connections only, and its database disappears with it.
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

	/**
	 * Returns the JDBC URL of the shared database. Its name is this server's own, so that it never meets an
	 * in-memory database of the same name in this JVM (a test's embedded shop).
	 */
	String url() {
		return "jdbc:h2:tcp://localhost:" + this.server.getPort() + "/mem:flash-sale-demo-" + this.server.getPort()
				+ ";DB_CLOSE_DELAY=-1";
	}

	@Override
	public void close() {
		this.server.stop();
	}
}
