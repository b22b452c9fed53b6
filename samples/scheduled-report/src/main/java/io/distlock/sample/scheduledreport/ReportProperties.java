package io.distlock.sample.scheduledreport;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The report job's settings ({@code scheduled-report.*}). The lock's minimum hold time is
 * {@code scheduled-report.min-hold-time}, read by the annotation on {@link ReportJob#buildReport()}.
 *
 * @param cron when the report is built, as a Spring cron expression (seconds first); each fire time starts a window
 * @param buildTime how long building the report takes (the sample only waits that long)
 * @param instanceName this instance's name, recorded with each report it builds
 */
@ConfigurationProperties("scheduled-report")
public record ReportProperties(String cron, Duration buildTime, String instanceName) {
}
