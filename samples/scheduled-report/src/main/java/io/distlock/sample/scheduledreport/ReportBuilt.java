package io.distlock.sample.scheduledreport;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * An application event: a report was built.
 *
 * @param job which job built it
 * @param window the fire time that the run was scheduled for, which names the window
 * @param builtBy the instance that built it
 * @param fencingToken the lock's fencing token, empty when the job ran without a lock
 * @param late how long after its scheduled time the run started, by this instance's clock
 */
public record ReportBuilt(String job, Instant window, String builtBy, OptionalLong fencingToken, Duration late) {
}
