package io.distlock.benchmarks;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** Prints the two Markdown tables: ops/s per contender, and ours / peer ratios within each backend. */
final class Report {

	private Report() {
	}

	static void print(PrintStream out, Results results, List<Scenario> scenarios, BenchmarkConfig config) {
		out.println("## Lock+unlock throughput (ops/s, median of " + config.rounds() + " rounds of " + seconds(config)
				+ ") and hand-over latency (ms, median of " + config.rounds() * config.handoverSamples() + " samples)");
		out.println();
		printHeader(out, List.of("backend", "contender"), scenarios, "hand-over ms");
		for (Results.Row row : results.rows()) {
			StringBuilder line = new StringBuilder("| " + row.contender.backend() + " | " + row.contender.name() + " |");
			for (Scenario scenario : scenarios) {
				line.append(' ').append(format(row.ops(scenario), "%.0f")).append(" |");
			}
			line.append(' ').append(format(row.handover(), "%.1f")).append(" |");
			out.println(line);
		}
		out.println();
		printProblems(out, results);
		printRatios(out, results, scenarios);
	}

	private static void printRatios(PrintStream out, Results results, List<Scenario> scenarios) {
		out.println("## Ratios ours / peer (throughput: ours ops/s ÷ peer ops/s; hand-over: peer ms ÷ ours ms; > 1 = ours better)");
		out.println();
		printHeader(out, List.of("backend", "ours", "vs"), scenarios, "hand-over");
		List<String> backends = results.rows().stream().map((r) -> r.contender.backend()).distinct().toList();
		for (String backend : backends) {
			List<Results.Row> rows = results.rows().stream().filter((r) -> r.contender.backend().equals(backend)).toList();
			List<Results.Row> ours = rows.stream().filter((r) -> r.contender.kind() == Contender.Kind.OURS).toList();
			if (ours.isEmpty()) {
				out.println("| " + backend + " | (not on main yet) | |" + " |".repeat(scenarios.size() + 1));
				continue;
			}
			for (Results.Row mine : ours) {
				for (Results.Row peer : rows) {
					if (peer == mine || !mine.contender.comparedWith(peer.contender)) {
						continue;
					}
					StringBuilder line = new StringBuilder("| " + backend + " | " + mine.contender.name() + " | " + peer.contender.name() + " |");
					for (Scenario scenario : scenarios) {
						line.append(' ').append(format(mine.ops(scenario) / peer.ops(scenario), "%.2f")).append(" |");
					}
					line.append(' ').append(format(peer.handover() / mine.handover(), "%.2f")).append(" |");
					out.println(line);
				}
			}
		}
		out.println();
	}

	/** Prints a header row: text columns, one right-aligned column per scenario, and a last one. */
	private static void printHeader(PrintStream out, List<String> textColumns, List<Scenario> scenarios, String last) {
		StringBuilder header = new StringBuilder("|");
		StringBuilder rule = new StringBuilder("|");
		for (String column : textColumns) {
			header.append(' ').append(column).append(" |");
			rule.append("---|");
		}
		for (Scenario scenario : scenarios) {
			header.append(' ').append(scenario.label()).append(" |");
			rule.append("---:|");
		}
		header.append(' ').append(last).append(" |");
		rule.append("---:|");
		out.println(header);
		out.println(rule);
	}

	private static void printProblems(PrintStream out, Results results) {
		boolean any = false;
		for (Results.Row row : results.rows()) {
			if (row.errors > 0 || row.violations > 0) {
				out.println("- " + row.contender.backend() + " / " + row.contender.name() + ": " + row.errors + " failed lock calls, "
						+ row.violations + " mutual-exclusion violations; first error: " + row.firstError);
				any = true;
			}
		}
		if (!any) {
			out.println("No failed lock call and no mutual-exclusion violation in any contended run.");
		}
		out.println();
	}

	private static String seconds(BenchmarkConfig config) {
		return String.format(Locale.ROOT, "%.1f s", config.measure().toMillis() / 1000.0);
	}

	private static String format(double value, String pattern) {
		return (Double.isNaN(value) || Double.isInfinite(value)) ? "-" : String.format(Locale.ROOT, pattern, value);
	}
}
