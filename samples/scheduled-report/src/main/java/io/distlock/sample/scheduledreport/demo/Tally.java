package io.distlock.sample.scheduledreport.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import io.distlock.sample.scheduledreport.ReportBuilt;

/**
 * The reports built in the counted windows: for each job and window, how many runs and by whom.
 *
 * @param windows the counted windows, by their start, in order
 * @param reports the reports built in them, by every job, in the order they were reported
 */
public record Tally(List<Instant> windows, List<ReportBuilt> reports) {

	/** Keeps the reports of {@code windows} only. */
	public Tally {
		List<Instant> counted = List.copyOf(windows);
		windows = counted;
		reports = reports.stream()
			.filter((report) -> counted.contains(report.window()))
			.sorted(Comparator.comparing(ReportBuilt::window)) // stable: in the order they were reported
			.toList();
	}

	/** The runs of {@code job} in {@code window}, in the order they were reported. */
	public List<ReportBuilt> runs(String job, Instant window) {
		return this.reports.stream().filter((report) -> report.job().equals(job) && report.window().equals(window)).toList();
	}

	/** How many times {@code job} ran in each window, in the order of {@link #windows()}. */
	public List<Integer> runsPerWindow(String job) {
		return this.windows.stream().map((window) -> runs(job, window).size()).toList();
	}

	/** Whether {@code job} ran exactly once in every window. */
	public boolean ranOncePerWindow(String job) {
		return runsPerWindow(job).stream().allMatch((runs) -> runs == 1);
	}

	/** How long after its scheduled time the latest run started, by its instance's clock. */
	public Duration latestStart() {
		return this.reports.stream().map(ReportBuilt::late).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
	}
}
