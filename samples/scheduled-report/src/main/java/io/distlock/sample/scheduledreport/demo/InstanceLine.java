package io.distlock.sample.scheduledreport.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import io.distlock.sample.scheduledreport.ReportBuilt;

/**
 * The lines in which a demo instance tells the launcher, on its standard output, that it is ready and which reports
 * it built: a keyword, then {@code key=value} pairs.
 */
final class InstanceLine {

	private static final String READY = "SCHEDULED-REPORT-READY";

	private static final String BUILT = "SCHEDULED-REPORT-BUILT";

	private InstanceLine() {
	}

	static String ready(String lockBackend) {
		return READY + " lock=" + lockBackend;
	}

	static String built(ReportBuilt report) {
		return BUILT + " job=" + report.job() + " window=" + report.window().toEpochMilli() + " by=" + report.builtBy()
				+ " token=" + (report.fencingToken().isPresent() ? report.fencingToken().getAsLong() : "none")
				+ " late=" + report.late().toMillis();
	}

	/** Returns the lock backend of a ready line, {@code null} for any other line. */
	static String lockBackendIfReady(String line) {
		return line.startsWith(READY + " ") ? fields(line).get("lock") : null;
	}

	/** Returns the report of a built line, {@code null} for any other line. */
	static ReportBuilt reportIfBuilt(String line) {
		if (!line.startsWith(BUILT + " ")) {
			return null;
		}
		Map<String, String> fields = fields(line);
		String token = fields.get("token");
		return new ReportBuilt(fields.get("job"), Instant.ofEpochMilli(Long.parseLong(fields.get("window"))),
				fields.get("by"), token.equals("none") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(token)),
				Duration.ofMillis(Long.parseLong(fields.get("late"))));
	}

	private static Map<String, String> fields(String line) {
		Map<String, String> fields = new HashMap<>();
		for (String part : line.split(" ")) {
			int equals = part.indexOf('=');
			if (equals > 0) {
				fields.put(part.substring(0, equals), part.substring(equals + 1));
			}
		}
		return fields;
	}
}
