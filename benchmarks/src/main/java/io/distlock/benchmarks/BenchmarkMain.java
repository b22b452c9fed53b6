package io.distlock.benchmarks;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every contender of every selected backend side by side and prints the tables.
 *
 * <p>Method, per backend: open each contender on two application instances (each with its own
 * connections); warm each contender up once in every scenario; then for each round, each scenario
 * and each contender, measure, rotating the contenders' order every round so that none always runs
 * first or last (interleaved rounds: a noisy neighbour hits every contender alike). The tables show
 * medians over rounds. Progress goes to standard error, the tables to standard output.
 */
public final class BenchmarkMain {

	private BenchmarkMain() {
	}

	public static void main(String[] args) throws Exception {
		BenchmarkConfig config = BenchmarkConfig.parse(args);
		PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
		List<Scenario> scenarios = new ArrayList<>();
		for (int threads : config.threads()) {
			scenarios.add(new Scenario(threads, false));
			if (threads > 1) { // one thread alone cannot contend
				scenarios.add(new Scenario(threads, true));
			}
		}
		Results results = new Results();
		long started = System.nanoTime();
		try (Servers servers = new Servers(config.external(), config.cluster())) {
			for (String backend : config.backends()) {
				List<Contender> contenders = contenders(backend, config).stream().filter(config::selected).toList();
				if (!contenders.isEmpty()) {
					runBackend(backend, contenders, scenarios, config, servers, results);
				}
			}
			out.println();
			out.println("Servers: " + servers.describe() + ". Two application instances per contender; threads alternate"
					+ " between them. Java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
					+ " CPUs. Run took " + (System.nanoTime() - started) / 1_000_000_000 + " s. Arguments: " + String.join(" ", args));
			out.println();
			Report.print(out, results, scenarios, config);
		}
		System.exit(0); // some peers leave non-daemon threads behind
	}

	private static List<Contender> contenders(String backend, BenchmarkConfig config) {
		return switch (backend) {
			case RedisContenders.BACKEND -> RedisContenders.all(config);
			case ZookeeperContenders.BACKEND -> ZookeeperContenders.all(config);
			case JdbcContenders.BACKEND -> JdbcContenders.all(config);
			case InstrumentationContenders.IN_MEMORY -> InstrumentationContenders.inMemory();
			case InstrumentationContenders.REDIS -> InstrumentationContenders.redis();
			default -> throw new IllegalArgumentException("unknown backend '" + backend + "' in backends=; expected redis, zookeeper, jdbc, "
					+ InstrumentationContenders.IN_MEMORY + " or " + InstrumentationContenders.REDIS);
		};
	}

	private static void runBackend(String backend, List<Contender> contenders, List<Scenario> scenarios, BenchmarkConfig config,
			Servers servers, Results results) throws Exception {
		Map<Contender, LockClient[]> clients = new LinkedHashMap<>();
		try (Closer closer = new Closer()) {
			AppInstance[] apps = { closer.add(new AppInstance(servers, config.maxThreads() + 2)),
					closer.add(new AppInstance(servers, config.maxThreads() + 2)) };
			for (Contender contender : contenders) {
				progress(backend + ": opening " + contender.name());
				LockClient first = closer.add(contender.factory().open(apps[0]));
				if (first instanceof LockClient.Unavailable unavailable) {
					progress(backend + ": skipping " + contender.name() + ": " + unavailable.reason());
					continue;
				}
				results.row(contender); // rows in the contenders' order, whatever the order measured
				clients.put(contender, new LockClient[] { first, closer.add(contender.factory().open(apps[1])) });
			}
			contenders = List.copyOf(clients.keySet());
			for (Contender contender : contenders) {
				progress(backend + ": warming up " + contender.name());
				for (Scenario scenario : scenarios) {
					Throughput.measure(instancesFor(clients.get(contender), scenario), scenario, config.warmup());
				}
				Handover.measure(clients.get(contender)[0], clients.get(contender)[1], 2);
			}
			List<Contender> order = new ArrayList<>(contenders);
			for (int round = 1; round <= config.rounds(); round++) {
				Collections.rotate(order, 1);
				for (Scenario scenario : scenarios) {
					progress(backend + ": round " + round + "/" + config.rounds() + ", " + scenario.label());
					for (Contender contender : order) {
						Throughput.Result result = Throughput.measure(instancesFor(clients.get(contender), scenario), scenario, config.measure());
						results.row(contender).add(scenario, result);
					}
				}
				progress(backend + ": round " + round + "/" + config.rounds() + ", hand-over");
				for (Contender contender : order) {
					LockClient[] pair = clients.get(contender);
					results.row(contender).handoverMillis.addAll(Handover.measure(pair[0], pair[1], config.handoverSamples()));
				}
			}
		}
	}

	/** One thread uses one instance; more threads alternate between the two. */
	private static LockClient[] instancesFor(LockClient[] pair, Scenario scenario) {
		return Arrays.copyOf(pair, Math.min(scenario.threads(), pair.length));
	}

	private static void progress(String message) {
		System.err.println("[bench] " + message);
	}
}
