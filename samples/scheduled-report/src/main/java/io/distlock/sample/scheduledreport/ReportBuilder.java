package io.distlock.sample.scheduledreport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

import io.distlock.core.LockContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Builds the report of the window that the current run was scheduled for, and announces it as a
 * {@link ReportBuilt} event. Building is simulated: it takes {@code scheduled-report.build-time}.
 */
@Component
public class ReportBuilder {

	private static final Log logger = LogFactory.getLog(ReportBuilder.class);

	private final ReportSchedule schedule;

	private final Clock clock;

	private final ReportProperties properties;

	private final ApplicationEventPublisher events;

	ReportBuilder(ReportProperties properties, Clock clock, ApplicationEventPublisher events) {
		this.schedule = new ReportSchedule(properties.cron());
		this.clock = clock;
		this.properties = properties;
		this.events = events;
	}

	/** Builds the report as {@code job}; under a lock when the caller holds one. */
	public ReportBuilt build(String job) throws InterruptedException {
		Instant started = this.clock.instant();
		Instant window = this.schedule.windowOf(started);
		OptionalLong token = LockContext.current().map((lock) -> OptionalLong.of(lock.fencingToken())).orElse(OptionalLong.empty());
		Thread.sleep(this.properties.buildTime().toMillis());
		ReportBuilt built = new ReportBuilt(job, window, this.properties.instanceName(), token,
				Duration.between(window, started));
		logger.info("Built " + job + " for the window of " + window + " on " + built.builtBy()
				+ (token.isPresent() ? " (fencing token " + token.getAsLong() + ")" : " (no lock)"));
		this.events.publishEvent(built);
		return built;
	}
}
