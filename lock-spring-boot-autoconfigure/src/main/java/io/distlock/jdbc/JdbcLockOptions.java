package io.distlock.jdbc;

import java.time.Duration;
import java.util.Objects;

/**
 * How the JDBC backend waits and how long one statement may take.
 *
 * @param minPollInterval the first delay between two polls of a waiting caller; the delay doubles up to
 * {@code maxPollInterval}
 * @param maxPollInterval the longest delay between two polls while no release notification can come (MariaDB,
 * MySQL, H2, or PostgreSQL while its listener is down); on PostgreSQL with a listener, waiters poll
 * five times less often, as a safety net for leases that end without a release
 * @param notifyReleases on PostgreSQL, whether a release wakes the waiters of every instance by
 * {@code LISTEN/NOTIFY} (one listening connection per provider, taken from the {@code DataSource} when
 * the first caller waits); ignored on the other databases
 * @param statementTimeout the bound on one lock statement, connection acquisition included: renewal and
 * release never take longer, and an acquire returns at most this long after its wait time
 */
public record JdbcLockOptions(Duration minPollInterval, Duration maxPollInterval, boolean notifyReleases,
		Duration statementTimeout) {

	/** The defaults: polls from 4 ms up to 100 ms apart, notifications on, 2 s per statement. */
	public static final JdbcLockOptions DEFAULTS = new JdbcLockOptions(Duration.ofMillis(4), Duration.ofMillis(100), true,
			Duration.ofSeconds(2));

	/** Checks the values. */
	public JdbcLockOptions {
		positive(minPollInterval, "minPollInterval");
		positive(maxPollInterval, "maxPollInterval");
		positive(statementTimeout, "statementTimeout");
		if (minPollInterval.compareTo(maxPollInterval) > 0) {
			throw new IllegalArgumentException("minPollInterval (" + minPollInterval + ") must not exceed maxPollInterval ("
					+ maxPollInterval + ")");
		}
	}

	private static void positive(Duration value, String name) {
		Objects.requireNonNull(value, name);
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, was " + value);
		}
	}
}
