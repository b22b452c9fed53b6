package io.distlock.sample.scheduledreport;

import java.time.Clock;
import java.util.Arrays;

import io.distlock.sample.scheduledreport.demo.ScheduledReportDemo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A report that must be built once per window of a cron schedule, however many instances of the application run:
 * {@link ReportJob#buildReport()} is {@code @Scheduled} on every instance and {@code @DistributedLocked} with
 * {@code whenLocked = SKIP} and a {@code minHoldTime}, so the first instance to fire builds it and the others skip.
 *
 * <p>Started with {@code --demo}, this class does not start the application itself but {@link ScheduledReportDemo}:
 * several instances as separate JVMs with skewed clocks, sharing one lock table, counting the runs per window with
 * and without the lock.
 */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(ReportProperties.class)
public class ScheduledReportApplication {

	public static void main(String[] args) throws Exception {
		if (Arrays.asList(args).contains(ScheduledReportDemo.FLAG)) {
			System.exit(ScheduledReportDemo.runFromCommandLine(args));
		}
		SpringApplication.run(ScheduledReportApplication.class, args);
	}

	/** The wall clock that names a run's window (the demo replaces it with a skewed one). */
	@Bean
	Clock clock() {
		return Clock.systemDefaultZone();
	}
}
