package io.distlock.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The knobs of a run, from {@code key=value} arguments (see {@code benchmarks/run.sh}).
 *
 * @param backends which backends to run ({@code redis,zookeeper,jdbc})
 * @param threads the thread counts of the throughput scenarios
 * @param rounds how many measured rounds; each reports the median over rounds
 * @param measure how long one measurement of one contender runs
 * @param warmup how long each contender and scenario runs once before the rounds, unrecorded
 * @param handoverSamples hand-over samples per contender and round
 * @param external whether to use the local Redis and PostgreSQL services instead of embedded servers
 * @param cluster whether Redis is a local 3-master Redis Cluster, started as the tests start it
 * @param spinMicros retry pause of contenders that cannot wait by themselves (raw limits, ShedLock)
 * @param only when not empty, run only contenders whose name contains one of these words
 */
record BenchmarkConfig(List<String> backends, List<Integer> threads, int rounds, Duration measure, Duration warmup,
		int handoverSamples, boolean external, boolean cluster, int spinMicros, List<String> only) {

	private static final Set<String> KEYS = Set.of("backends", "threads", "rounds", "seconds", "warmup", "handover",
			"external", "cluster", "spinMicros", "only");

	static BenchmarkConfig parse(String... args) {
		Map<String, String> map = new HashMap<>();
		for (String arg : args) {
			int eq = arg.indexOf('=');
			String key = (eq > 0) ? arg.substring(0, eq).replaceFirst("^--", "") : "";
			if (!KEYS.contains(key)) {
				throw new IllegalArgumentException("unknown argument '" + arg + "'; expected key=value with key one of " + KEYS);
			}
			map.put(key, arg.substring(eq + 1));
		}
		boolean external = Boolean.parseBoolean(map.getOrDefault("external", "false"));
		boolean cluster = Boolean.parseBoolean(map.getOrDefault("cluster", "false"));
		if (external && cluster) {
			throw new IllegalArgumentException("cluster=true starts a local Redis Cluster; it cannot be combined with external=true");
		}
		try {
			return new BenchmarkConfig(
					list(map.getOrDefault("backends", "redis,zookeeper,jdbc")),
					list(map.getOrDefault("threads", "1,4,16")).stream().map(Integer::valueOf).toList(),
					Integer.parseInt(map.getOrDefault("rounds", "3")),
					seconds(map.getOrDefault("seconds", "2")),
					seconds(map.getOrDefault("warmup", "0.5")),
					Integer.parseInt(map.getOrDefault("handover", "10")),
					external,
					cluster,
					Integer.parseInt(map.getOrDefault("spinMicros", "200")),
					list(map.getOrDefault("only", "")));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("bad number in " + map + ": " + ex.getMessage(), ex);
		}
	}

	/** Returns the largest thread count, which sizes the connection pools. */
	int maxThreads() {
		return this.threads.stream().mapToInt(Integer::intValue).max().orElse(1);
	}

	boolean selected(Contender contender) {
		return this.only.isEmpty() || this.only.stream().anyMatch(contender.name()::contains);
	}

	private static List<String> list(String csv) {
		return Arrays.stream(csv.split(",")).map(String::trim).filter((s) -> !s.isEmpty()).toList();
	}

	private static Duration seconds(String value) {
		return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
	}
}
