package io.distlock.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every number a run measured, per contender, and the medians the tables show. */
final class Results {

	/** One contender's samples. */
	static final class Row {

		final Contender contender;

		final Map<String, List<Double>> opsPerSecond = new LinkedHashMap<>();

		final List<Double> handoverMillis = new ArrayList<>();

		long errors;

		long violations;

		String firstError;

		Row(Contender contender) {
			this.contender = contender;
		}

		void add(Scenario scenario, Throughput.Result result) {
			this.opsPerSecond.computeIfAbsent(scenario.label(), (k) -> new ArrayList<>()).add(result.opsPerSecond());
			this.errors += result.errors();
			this.violations += result.violations();
			if (this.firstError == null) {
				this.firstError = result.firstError();
			}
		}

		/** Median ops/s over the rounds, or NaN if not measured. */
		double ops(Scenario scenario) {
			return median(this.opsPerSecond.getOrDefault(scenario.label(), List.of()));
		}

		/** Median hand-over latency in ms, or NaN if not measured. */
		double handover() {
			return median(this.handoverMillis);
		}
	}

	private final Map<Contender, Row> rows = new LinkedHashMap<>();

	Row row(Contender contender) {
		return this.rows.computeIfAbsent(contender, Row::new);
	}

	List<Row> rows() {
		return List.copyOf(this.rows.values());
	}

	static double median(List<Double> values) {
		if (values.isEmpty()) {
			return Double.NaN;
		}
		List<Double> sorted = new ArrayList<>(values);
		sorted.sort(null);
		int n = sorted.size();
		return (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}
}
