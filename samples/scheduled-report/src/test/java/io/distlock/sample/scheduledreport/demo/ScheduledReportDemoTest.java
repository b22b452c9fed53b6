package io.distlock.sample.scheduledreport.demo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.distlock.sample.scheduledreport.ReportBuilt;
import io.distlock.sample.scheduledreport.ReportJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo as a newcomer runs it (its defaults): three instances, each its own JVM, with clocks 0, 250 and 500 ms
 * behind, on one H2 server that holds the jdbc backend's lock table; six windows of three seconds each, a minimum hold
 * of two seconds. A run that starts up to 1.5 s later than the others of its window still counts right.
 */
class ScheduledReportDemoTest {

	@Test
	@Timeout(value = 4, unit = TimeUnit.MINUTES)
	void theLockedJobRunsExactlyOncePerWindowAcrossInstancesWithSkewedClocks() throws Exception {
		ByteArrayOutputStream printed = new ByteArrayOutputStream();
		DemoOptions options = DemoOptions.parse("--instances=3", "--windows=6", "--window=3s", "--skew=250ms");
		ScheduledReportDemo.Outcome outcome = ScheduledReportDemo.run(options, new PrintStream(printed, true, StandardCharsets.UTF_8));
		String output = printed.toString(StandardCharsets.UTF_8);
		Tally tally = outcome.tally();

		assertThat(outcome.lockBackend()).as(output).isEqualTo("jdbc");
		assertThat(tally.windows()).as(output).hasSize(6);
		// every instance fired in the counted windows: each one built the unlocked report at least once
		assertThat(tally.reports().stream().filter((report) -> report.job().equals(ComparisonJobs.WITHOUT_LOCK)).map(ReportBuilt::builtBy))
			.as(output)
			.contains("instance-1", "instance-2", "instance-3");

		assertThat(tally.runsPerWindow(ReportJob.NAME)).as(output).containsOnly(1);
		// one holder per window, and fencing tokens that grow from window to window
		List<Long> tokens = tally.reports().stream()
			.filter((report) -> report.job().equals(ReportJob.NAME))
			.map((report) -> report.fencingToken().orElseThrow())
			.toList();
		assertThat(tokens).as(output).isSorted().doesNotHaveDuplicates();

		// the same job fires on three clocks 250 ms apart: without the lock, every instance builds the report; with the
		// lock but no minimum hold time, the 100 ms job is over before the next instance fires, which builds it again
		assertThat(tally.runsPerWindow(ComparisonJobs.WITHOUT_LOCK)).as(output).anyMatch((runs) -> runs > 1);
		assertThat(tally.runsPerWindow(ComparisonJobs.WITHOUT_MIN_HOLD)).as(output).anyMatch((runs) -> runs > 1);
		assertThat(output).contains("with the lock and minHoldTime", "without the lock", "exactly 1 run in each of the 6 windows");
	}
}
