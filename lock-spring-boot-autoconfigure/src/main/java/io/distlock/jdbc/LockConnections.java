package io.distlock.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs the lock statements: each on a connection of its own, in a transaction of its own, never in the
 * caller's, and within a time bound.
 *
 * <ul>
 * <li><b>Never the caller's transaction.</b> When the calling thread takes part in a Spring-managed
 * transaction (data source or JTA transaction manager), the statement runs on a thread of this class
 * instead, where no transaction is bound: a {@code TransactionAwareDataSourceProxy}, however deeply
 * nested, or a JTA pool that enlists the connections of the current thread then hands out a plain
 * connection, and a rollback of the caller's work never undoes a lock.</li>
 * <li><b>Bounded.</b> Pools block in {@code getConnection()} up to their own timeout (30 s by default
 * in Hikari) and offer no per-call timeout; the connection is therefore requested under an alarm that
 * interrupts the requesting thread at the bound ({@link InterruptAlarms}; Hikari, DBCP and the Tomcat
 * pool give up on interrupt). The statement then runs with the connection's network timeout set to
 * what is left of the bound, so a paused or unreachable database ends it too; the pool restores the
 * timeout afterwards.</li>
 * </ul>
 */
final class LockConnections {

	private static final ThreadFactory THREADS = daemonThreads();

	private static final ExecutorService OFF_TRANSACTION = offTransactionThreads();

	private final DataSource dataSource;

	LockConnections(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/** Work on a connection, committed by the caller of it. */
	@FunctionalInterface
	interface SqlWork<T> {

		T run(Connection connection) throws SQLException;

	}

	/**
	 * Runs {@code work} on a connection of its own and commits it, within {@code bound}. An interrupt of
	 * the calling thread does not cut it short (a release must not be lost to it); the thread's interrupt
	 * status is kept for its caller to see.
	 * @throws SQLException the database's error, or a transient one when the bound passed
	 */
	<T> T run(SqlWork<T> work, Duration bound) throws SQLException {
		long deadline = System.nanoTime() + bound.toNanos();
		boolean interrupted = Thread.interrupted();
		try {
			if (!inCallersTransaction()) {
				return runHere(work, deadline);
			}
			Future<T> future = OFF_TRANSACTION.submit(() -> runHere(work, deadline));
			// a little beyond the deadline: the worker itself gives up at it and says why
			long waitUntil = deadline + TimeUnit.MILLISECONDS.toNanos(200);
			while (true) {
				try {
					return future.get(Math.max(0, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
				catch (ExecutionException ex) {
					if (ex.getCause() instanceof SQLException sql) {
						throw sql;
					}
					if (ex.getCause() instanceof RuntimeException runtime) {
						throw runtime;
					}
					throw new IllegalStateException(ex.getCause());
				}
				catch (TimeoutException ex) {
					throw new SQLTimeoutException("The lock statement did not complete within " + bound.toMillis() + " ms");
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private static boolean inCallersTransaction() {
		return TransactionSynchronizationManager.isSynchronizationActive()
				|| TransactionSynchronizationManager.isActualTransactionActive()
				|| !TransactionSynchronizationManager.getResourceMap().isEmpty();
	}

	private <T> T runHere(SqlWork<T> work, long deadline) throws SQLException {
		try (Connection connection = connect(deadline)) {
			limitNetworkWait(connection, deadline);
			boolean autoCommit = connection.getAutoCommit();
			try {
				T result = work.run(connection);
				if (!autoCommit) {
					connection.commit();
				}
				return result;
			}
			catch (SQLException | RuntimeException ex) {
				if (!autoCommit) {
					try {
						connection.rollback();
					}
					catch (SQLException broken) {
						ex.addSuppressed(broken);
					}
				}
				throw ex;
			}
		}
	}

	/** Gets a connection, interrupting the wait for it at {@code deadline}. */
	private Connection connect(long deadline) throws SQLException {
		long remaining = deadline - System.nanoTime();
		if (remaining <= 0) {
			throw new SQLTransientConnectionException("No time left to get a connection for the lock statement");
		}
		InterruptAlarms.Alarm alarm = InterruptAlarms.arm(deadline);
		@Nullable Connection connection = null;
		@Nullable SQLException failure = null;
		try {
			connection = this.dataSource.getConnection();
		}
		catch (SQLException ex) {
			failure = ex;
		}
		if (alarm.disarm()) {
			if (failure != null) {
				throw failure;
			}
			return Objects.requireNonNull(connection, "getConnection() returned null");
		}
		if (connection != null) {
			return connection;
		}
		SQLTransientConnectionException timeout = new SQLTransientConnectionException(
				"No connection from the DataSource within the lock statement's time bound (is the pool exhausted?)");
		if (failure != null) {
			timeout.initCause(failure);
		}
		throw timeout;
	}

	private static void limitNetworkWait(Connection connection, long deadline) throws SQLException {
		int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
		try {
			connection.setNetworkTimeout(Runnable::run, millis);
		}
		catch (SQLException | UnsupportedOperationException | AbstractMethodError ex) {
			// a driver without network timeouts (H2 in memory needs none): the statement is unbounded
		}
	}

	private static ThreadFactory daemonThreads() {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, "distributed-lock-jdbc-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	private static ExecutorService offTransactionThreads() {
		// each task ends at its own time bound, so a hanging database cannot pile threads up beyond this
		ThreadPoolExecutor pool = new ThreadPoolExecutor(32, 32, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), THREADS);
		pool.allowCoreThreadTimeOut(true);
		return pool;
	}

	/** Runs {@code task} on a thread of this class, off the caller's (for clean-ups nobody waits for). */
	static void runLater(Runnable task) {
		OFF_TRANSACTION.execute(task);
	}
}
