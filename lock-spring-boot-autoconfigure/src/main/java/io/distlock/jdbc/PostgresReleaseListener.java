package io.distlock.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * PostgreSQL's release notifications for the waiters of one provider: one connection that
 * {@code LISTEN}s, taken from the {@code DataSource} when the first caller waits and kept until the
 * provider closes.
 *
 * <p>A release sends a {@code NOTIFY} only when some instance waits for that lock. An instance shows
 * that it waits by holding a shared, session-level advisory lock on the lock's key on its listening
 * connection (memory in the lock manager: no write, no transaction id); the release statement tries
 * the exclusive advisory lock in its own transaction and notifies only when that fails. A waiter is
 * woken once its interest is registered and polls once more then, so a release that came just
 * before the registration is not missed. While the listener is down (connection lost, database
 * restarting), or beyond {@value #MAX_INTERESTS} locks waited for at once by this instance (the lock
 * manager's memory is shared by all sessions), waiters poll as on the other databases.
 */
final class PostgresReleaseListener implements AutoCloseable {

	static final int MAX_INTERESTS = 256;

	private static final Log logger = LogFactory.getLog(PostgresReleaseListener.class);

	/** How long one wait for notifications lasts: also how late a new interest is registered at most. */
	private static final int NOTIFICATION_WAIT_MILLIS = 20;

	private static final long RECONNECT_DELAY_MILLIS = 1000;

	private final DataSource dataSource;

	private final String channel;

	private final ConcurrentHashMap<String, Interest> interests = new ConcurrentHashMap<>();

	private final ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();

	private volatile String state = "idle (no caller has waited yet)";

	private volatile boolean running = true;

	private @Nullable Thread thread;

	PostgresReleaseListener(DataSource dataSource, String tableName) {
		this.dataSource = dataSource;
		this.channel = channel(tableName);
	}

	/** Returns the notification channel of a lock table (a literal safe in SQL: identifier characters only). */
	static String channel(String tableName) {
		String channel = "distlock:" + tableName;
		if (channel.length() <= 63) {
			return channel;
		}
		try {
			byte[] hash = MessageDigest.getInstance("SHA-256").digest(tableName.getBytes(StandardCharsets.UTF_8));
			return "distlock:" + HexFormat.of().formatHex(hash, 0, 16);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	/** Returns the advisory lock key that shows interest in the lock of row {@code id} (a SHA-256 in hex). */
	static long interestKey(String id) {
		return Long.parseUnsignedLong(id.substring(0, 16), 16);
	}

	String channel() {
		return this.channel;
	}

	/** Returns the listener's state for health reports. */
	String state() {
		return this.state;
	}

	/** Starts waiting for the release of row {@code id}; close the returned wait when done. */
	ReleaseWait register(String id) {
		ReleaseWait wait = new ReleaseWait(this, id);
		this.interests.compute(id, (key, interest) -> {
			Interest result = (interest != null) ? interest : new Interest();
			result.waits.add(wait);
			return result;
		});
		this.changed.add(id);
		startIfNeeded();
		return wait;
	}

	private void unregister(ReleaseWait wait) {
		this.interests.computeIfPresent(wait.id, (key, interest) -> {
			interest.waits.remove(wait);
			return interest.waits.isEmpty() ? null : interest;
		});
		this.changed.add(wait.id);
	}

	private synchronized void startIfNeeded() {
		if (this.thread == null && this.running) {
			this.thread = new Thread(this::listen, "distributed-lock-jdbc-listener");
			this.thread.setDaemon(true);
			this.thread.start();
		}
	}

	private void listen() {
		@Nullable Connection connection = null;
		Set<String> held = new HashSet<>();
		while (this.running) {
			try {
				Connection current = connection;
				if (current == null) {
					current = open();
					connection = current;
					held.clear();
					this.changed.addAll(this.interests.keySet());
					this.state = "listening";
				}
				applyChanges(current, held);
				PGNotification[] notifications = current.unwrap(PGConnection.class).getNotifications(NOTIFICATION_WAIT_MILLIS);
				if (notifications != null) {
					for (PGNotification notification : notifications) {
						if (this.channel.equals(notification.getName())) {
							Interest interest = this.interests.get(notification.getParameter());
							if (interest != null) {
								interest.signalAll();
							}
						}
					}
				}
			}
			catch (SQLException | RuntimeException ex) {
				if (this.running) {
					if (!this.state.startsWith("down")) {
						logger.warn("Lock release notifications are down, waiters poll until they are back: " + ex.getMessage());
					}
					this.state = "down: " + ex.getMessage();
				}
				closeQuietly(connection);
				connection = null;
				held.clear();
				// the session and its interests are gone: every waiter polls on its own until registered again
				this.interests.values().forEach(Interest::unregistered);
				sleepBeforeReconnect();
			}
		}
		closeQuietly(connection);
	}

	private Connection open() throws SQLException {
		Connection connection = this.dataSource.getConnection();
		try {
			connection.setAutoCommit(true);
			try (Statement statement = connection.createStatement()) {
				// an application's exclusive advisory lock on the same key must not stall notifications
				statement.execute("SET lock_timeout = '2s'");
				statement.execute("LISTEN \"" + this.channel + "\"");
			}
			return connection;
		}
		catch (SQLException | RuntimeException ex) {
			closeQuietly(connection);
			throw ex;
		}
	}

	/** Takes or gives up the shared advisory lock of each lock whose waiters changed. */
	private void applyChanges(Connection connection, Set<String> held) throws SQLException {
		String id;
		while ((id = this.changed.poll()) != null) {
			Interest interest = this.interests.get(id);
			if (interest != null) {
				if (!held.contains(id)) {
					if (held.size() >= MAX_INTERESTS || !advisory(connection, "pg_advisory_lock_shared", id)) {
						continue; // its waiters keep polling
					}
					held.add(id);
				}
				interest.registered();
			}
			else if (held.remove(id)) {
				advisory(connection, "pg_advisory_unlock_shared", id);
			}
		}
	}

	private static boolean advisory(Connection connection, String function, String id) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT " + function + "(?)")) {
			statement.setLong(1, interestKey(id));
			statement.execute();
			return true;
		}
		catch (SQLException ex) {
			if ("55P03".equals(ex.getSQLState())) {
				return false; // lock_timeout: someone else holds this key exclusively
			}
			throw ex;
		}
	}

	private void sleepBeforeReconnect() {
		try {
			TimeUnit.MILLISECONDS.sleep(RECONNECT_DELAY_MILLIS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.running = false;
		}
	}

	private static void closeQuietly(@Nullable Connection connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				// broken already
			}
		}
	}

	@Override
	public void close() {
		Thread listener;
		synchronized (this) {
			this.running = false;
			listener = this.thread;
		}
		if (listener != null) {
			listener.interrupt();
			try {
				listener.join(TimeUnit.SECONDS.toMillis(5));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.state = "closed";
	}

	/** The waits of this instance for one lock. */
	private static final class Interest {

		final Set<ReleaseWait> waits = ConcurrentHashMap.newKeySet();

		void registered() {
			for (ReleaseWait wait : this.waits) {
				if (!wait.registered) {
					wait.registered = true;
					wait.signal(); // poll once more: a release just before the registration was not notified
				}
			}
		}

		void unregistered() {
			for (ReleaseWait wait : this.waits) {
				wait.registered = false;
				wait.signal();
			}
		}

		void signalAll() {
			this.waits.forEach(ReleaseWait::signal);
		}
	}

	/** One caller's wait for the release of one lock. */
	static final class ReleaseWait implements AutoCloseable {

		private final PostgresReleaseListener listener;

		private final String id;

		private final Semaphore signals = new Semaphore(0);

		private volatile boolean registered;

		ReleaseWait(PostgresReleaseListener listener, String id) {
			this.listener = listener;
			this.id = id;
		}

		/** Whether a release of this lock by any instance wakes this wait. */
		boolean isRegistered() {
			return this.registered;
		}

		void signal() {
			this.signals.release();
		}

		/**
		 * Waits until signalled or {@code nanos} passed.
		 * @return whether signalled
		 */
		boolean await(long nanos) throws InterruptedException {
			boolean signalled = this.signals.tryAcquire(nanos, TimeUnit.NANOSECONDS);
			this.signals.drainPermits();
			return signalled;
		}

		@Override
		public void close() {
			this.listener.unregister(this);
		}
	}
}
