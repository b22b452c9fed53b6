package io.distlock.sample.scheduledreport.demo;

import io.distlock.annotation.DistributedLocked;
import io.distlock.annotation.WhenLocked;
import io.distlock.sample.scheduledreport.ReportBuilder;
import io.distlock.sample.scheduledreport.ReportJob;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Demo instances only ({@code scheduled-report.demo.instance=true}): the same job as {@link ReportJob}, on the same
 * schedule, once under a lock without a minimum hold time and once without any lock, to show what each part of
 * {@code ReportJob}'s annotation prevents. A real application has only {@code ReportJob}.
 */
@Component
@ConditionalOnBooleanProperty("scheduled-report.demo.instance")
class ComparisonJobs {

	static final String WITHOUT_MIN_HOLD = "report-without-min-hold";

	static final String WITHOUT_LOCK = "report-without-lock";

	private final ReportBuilder builder;

	ComparisonJobs(ReportBuilder builder) {
		this.builder = builder;
	}

	@Scheduled(cron = "${scheduled-report.cron}")
	@DistributedLocked(name = WITHOUT_MIN_HOLD, whenLocked = WhenLocked.SKIP, waitTime = "0")
	public void buildReportWithoutMinHold() throws InterruptedException {
		this.builder.build(WITHOUT_MIN_HOLD);
	}

	@Scheduled(cron = "${scheduled-report.cron}")
	public void buildReportWithoutLock() throws InterruptedException {
		this.builder.build(WITHOUT_LOCK);
	}
}
