package io.distlock.sample.scheduledreport;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import org.springframework.scheduling.support.CronExpression;

/**
 * Which window a run belongs to: the fire time of the cron that it was scheduled for, i.e. the latest fire time at
 * or before the moment the run starts. Every instance whose clock agrees names the same window, however late its
 * run started, as long as it started before the next fire time.
 *
 * <p>A run may also start a little <em>before</em> its fire time (the scheduler's timer and the wall clock drift
 * apart), so a fire time up to {@link #EARLY} after the start still counts as the run's own.
 */
final class ReportSchedule {

	static final Duration EARLY = Duration.ofMillis(100);

	private static final Duration LONGEST_LOOK_BACK = Duration.ofDays(800);

	private final CronExpression cron;

	ReportSchedule(String cron) {
		try {
			this.cron = CronExpression.parse(cron);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("scheduled-report.cron '" + cron + "' is not a cron expression: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Returns the fire time that a run starting at {@code start} was scheduled for, in the time zone that
	 * {@code @Scheduled} uses when it names none (the JVM's default).
	 */
	Instant windowOf(Instant start) {
		ZonedDateTime limit = start.plus(EARLY).atZone(ZoneId.systemDefault());
		// a cron has no "previous": look back ever further until a fire time turns up, then step to the last one
		for (Duration back = Duration.ofSeconds(1); back.compareTo(LONGEST_LOOK_BACK) <= 0; back = back.multipliedBy(2)) {
			ZonedDateTime fire = this.cron.next(limit.minus(back));
			if (fire != null && !fire.isAfter(limit)) {
				for (ZonedDateTime next = this.cron.next(fire); next != null && !next.isAfter(limit); next = this.cron.next(next)) {
					fire = next;
				}
				return fire.toInstant();
			}
		}
		throw new IllegalStateException("The cron '" + this.cron + "' has no fire time in the " + LONGEST_LOOK_BACK.toDays()
				+ " days before " + start);
	}
}
