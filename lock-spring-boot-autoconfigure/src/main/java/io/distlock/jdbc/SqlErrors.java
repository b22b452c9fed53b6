package io.distlock.jdbc;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/** Which SQL errors are worth another attempt within the caller's wait. */
final class SqlErrors {

	private SqlErrors() {
	}

	/**
	 * Whether {@code ex} is transient: the connection broke or could not be had in time (SQL state class
	 * {@code 08}, a pool's timeout), the server is shutting down or starting ({@code 57P01}-{@code 57P03}),
	 * a statement was cancelled or timed out ({@code 57014}, {@code HYT00}), or the database lost a race
	 * (serialization failure, deadlock: class {@code 40}; lock not available {@code 55P03}; MySQL lock wait
	 * timeout 1205; H2's 90131), or a concurrent first insert of one row ({@code 23505}, MySQL 1062).
	 */
	static boolean isTransient(SQLException ex) {
		for (Throwable current = ex; current != null; current = current.getCause()) {
			if (current instanceof SQLTransientException || current instanceof SQLRecoverableException) {
				return true;
			}
			if (current instanceof SQLException sql && isTransientState(sql)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether an acquire statement lost a race inside the database to another acquirer of the same lock:
	 * a concurrent first insert of its row ({@code 23505}, MySQL 1062), a deadlock or serialization failure
	 * (class {@code 40}), H2's lock timeouts ({@code HYT00}, 90131). The lock is someone else's then, as the
	 * next poll shows; a subset of {@link #isTransient}.
	 */
	static boolean isLostRace(SQLException ex) {
		String state = (ex.getSQLState() != null) ? ex.getSQLState() : "";
		return state.startsWith("40") || state.equals("23505") || (state.equals("23000") && ex.getErrorCode() == 1062)
				|| state.equals("HYT00") || ex.getErrorCode() == 90131;
	}

	private static boolean isTransientState(SQLException ex) {
		String state = (ex.getSQLState() != null) ? ex.getSQLState() : "";
		int code = ex.getErrorCode();
		return state.startsWith("08") || state.startsWith("40") || state.startsWith("57P") || state.equals("57014")
				|| state.equals("55P03") || state.equals("HYT00") || state.equals("23505") || code == 1205 || code == 1213
				|| code == 1062 || code == 90131;
	}
}
