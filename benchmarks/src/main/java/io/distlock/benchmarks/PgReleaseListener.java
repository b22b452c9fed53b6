package io.distlock.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One application instance's listener of PostgreSQL release notifications ({@code LISTEN} on a dedicated
 * connection, outside the pool) and the dispatcher that wakes this instance's waiters of the released name.
 *
 * <p>A waiter {@link #enter enters} before its last try, so that a notification arriving between a failed
 * try and its wait is not lost: it reads the name's generation before trying and sleeps only while the
 * generation is unchanged. A notification wakes one waiter of the name in this instance (the winner's own
 * release will notify the next one); a lost notification costs at most {@code fallbackMillis}.
 */
final class PgReleaseListener implements AutoCloseable {

	static final String CHANNEL = "bench_lock_release";

	private static final int POLL_MILLIS = 100;

	private final Connection connection;

	private final ConcurrentHashMap<String, Waiters> waiters = new ConcurrentHashMap<>();

	private final Thread dispatcher;

	private volatile boolean closed;

	/** The waiters of one name in this instance; guarded by itself. */
	static final class Waiters {

		private int count;

		private long generation;
	}

	PgReleaseListener(String jdbcUrl, String user) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", user);
		this.connection = DriverManager.getConnection(jdbcUrl, properties);
		try (Statement statement = this.connection.createStatement()) {
			statement.execute("LISTEN " + CHANNEL);
		}
		PGConnection pg = this.connection.unwrap(PGConnection.class);
		this.dispatcher = new Thread(() -> dispatch(pg), "bench-pg-listener");
		this.dispatcher.setDaemon(true);
		this.dispatcher.start();
	}

	/** Registers a waiter of {@code name}; pair with {@link #leave}. */
	Waiters enter(String name) {
		return this.waiters.compute(name, (key, existing) -> {
			Waiters waiters = (existing != null) ? existing : new Waiters();
			synchronized (waiters) {
				waiters.count++;
			}
			return waiters;
		});
	}

	/** The generation to pass to {@link #await}: read it before the try that may fail. */
	static long generation(Waiters waiters) {
		synchronized (waiters) {
			return waiters.generation;
		}
	}

	/** Sleeps until a release of the name was notified after {@code generation}, or {@code maxMillis} passed. */
	static void await(Waiters waiters, long generation, long maxMillis) throws InterruptedException {
		long deadline = System.nanoTime() + maxMillis * 1_000_000;
		synchronized (waiters) {
			long left;
			while (waiters.generation == generation && (left = deadline - System.nanoTime()) > 0) {
				waiters.wait(Math.max(1, left / 1_000_000));
			}
		}
	}

	void leave(String name) {
		this.waiters.computeIfPresent(name, (key, waiters) -> {
			synchronized (waiters) {
				return (--waiters.count == 0) ? null : waiters;
			}
		});
	}

	private void dispatch(PGConnection pg) {
		while (!this.closed) {
			try {
				PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
				if (notifications == null) {
					continue;
				}
				for (PGNotification notification : notifications) {
					Waiters waiters = this.waiters.get(notification.getParameter());
					if (waiters != null) {
						synchronized (waiters) {
							waiters.generation++;
							waiters.notify();
						}
					}
				}
			}
			catch (SQLException ex) {
				if (!this.closed) {
					// waiters still retry after their fallback timeout: slower, not wrong
					System.err.println("[bench] raw LISTEN/NOTIFY listener: " + ex);
					sleepQuietly();
				}
			}
		}
	}

	private static void sleepQuietly() {
		try {
			Thread.sleep(POLL_MILLIS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() throws Exception {
		this.closed = true;
		this.dispatcher.join(5_000);
		this.connection.close();
	}
}
