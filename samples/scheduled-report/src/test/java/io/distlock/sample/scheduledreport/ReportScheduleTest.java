package io.distlock.sample.scheduledreport;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ReportScheduleTest {

	private static final Instant WINDOW = Instant.parse("2025-03-01T10:20:30Z");

	@Test
	void aRunBelongsToTheFireTimeItWasScheduledForHoweverLateItStarts() {
		ReportSchedule everyTwoSeconds = new ReportSchedule("*/2 * * * * *");
		assertThat(everyTwoSeconds.windowOf(WINDOW)).isEqualTo(WINDOW);
		assertThat(everyTwoSeconds.windowOf(WINDOW.plusMillis(3))).isEqualTo(WINDOW);
		assertThat(everyTwoSeconds.windowOf(WINDOW.plusMillis(1899))).isEqualTo(WINDOW);
		assertThat(everyTwoSeconds.windowOf(WINDOW.plusMillis(1900))).isEqualTo(WINDOW.plusSeconds(2));
	}

	@Test
	void aRunThatStartsAFewMillisecondsEarlyStillBelongsToItsOwnFireTime() {
		ReportSchedule everyTwoSeconds = new ReportSchedule("*/2 * * * * *");
		assertThat(everyTwoSeconds.windowOf(WINDOW.minusMillis(2))).isEqualTo(WINDOW);
		assertThat(everyTwoSeconds.windowOf(WINDOW.minus(ReportSchedule.EARLY))).isEqualTo(WINDOW);
		assertThat(everyTwoSeconds.windowOf(WINDOW.minus(ReportSchedule.EARLY).minusMillis(1))).isEqualTo(WINDOW.minusSeconds(2));
	}

	@Test
	void findsTheFireTimeOfSparseSchedules() {
		// cron fields are read in the JVM's time zone, as @Scheduled reads them
		Instant newYear = LocalDateTime.parse("2025-01-01T00:00:00").atZone(ZoneId.systemDefault()).toInstant();
		ReportSchedule yearly = new ReportSchedule("0 0 0 1 1 *");
		assertThat(yearly.windowOf(newYear.plusSeconds(200 * 86400))).isEqualTo(newYear);
		ReportSchedule everyTenMinutes = new ReportSchedule("0 */10 * * * *");
		assertThat(everyTenMinutes.windowOf(WINDOW)).isEqualTo(Instant.parse("2025-03-01T10:20:00Z"));
	}

	@Test
	void aMalformedCronIsNamedWithItsProperty() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ReportSchedule("every ten minutes"))
			.withMessageStartingWith("scheduled-report.cron 'every ten minutes' is not a cron expression");
	}
}
