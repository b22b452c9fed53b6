package io.distlock.sample.scheduledreport;

import io.distlock.annotation.DistributedLocked;
import io.distlock.annotation.WhenLocked;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The scheduled job: every instance fires it at each fire time of {@code scheduled-report.cron}; the first one to
 * take the lock builds the report, the others find the lock taken and skip.
 *
 * <ul>
 * <li>{@code whenLocked = SKIP}: a taken lock means that another instance has this window; the call returns
 * without running and without an exception.</li>
 * <li>{@code waitTime = "0"}: try once. Waiting would only run the job a second time once the first run ends.</li>
 * <li>{@code minHoldTime}: the job is short, and the instances' clocks (hence their schedules) differ by up to a
 * few hundred milliseconds. Without it, the first instance would release the lock before a later one fires, and
 * that one would build the same window's report again. With it, the lock stays taken for this long after it was
 * acquired, whenever the job ends. It must be longer than the largest difference between the instances'
 * schedules and shorter than the interval by more than that, so that the next window finds the lock free.</li>
 * <li>The lease ({@code distributed-lock.lease-time}) need not cover the job: it is renewed while the job runs.</li>
 * </ul>
 */
@Component
public class ReportJob {

	/** The lock's name, and the job's name in the reports. */
	public static final String NAME = "report";

	private final ReportBuilder builder;

	ReportJob(ReportBuilder builder) {
		this.builder = builder;
	}

	@Scheduled(cron = "${scheduled-report.cron}")
	@DistributedLocked(name = NAME, whenLocked = WhenLocked.SKIP, waitTime = "0",
			minHoldTime = "${scheduled-report.min-hold-time}")
	public void buildReport() throws InterruptedException {
		this.builder.build(NAME);
	}
}
