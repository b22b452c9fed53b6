package io.distlock.sample.scheduledreport.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.distlock.sample.scheduledreport.ReportBuilt;
import io.distlock.sample.scheduledreport.ReportJob;

/**
 * The scheduled-report demo: starts several instances of the application as separate JVMs whose clocks are a few
 * hundred milliseconds apart, sharing one lock store, lets their schedules fire for a number of short windows, and
 * prints how often each window's report was built and by which instance — by {@link ReportJob} (the lock with
 * {@code whenLocked = SKIP} and a {@code minHoldTime}), and by the same job under the lock without a minimum hold
 * time and without any lock ({@link ComparisonJobs}), which run side by side with it on the same schedule.
 *
 * <p>By default the lock store is an H2 TCP server that this launcher starts on a free port (jdbc backend).
 * Arguments other than {@code --instances}, {@code --windows}, {@code --window} and {@code --skew} go to every
 * instance, e.g. {@code --spring.profiles.active=redis}. Instances, the server and (after a successful run) the
 * instances' logs are gone when it returns.
 */
public final class ScheduledReportDemo {

	/** The argument that starts the demo instead of the application. */
	public static final String FLAG = "--demo";

	/** The jobs, in the order of the printed columns. */
	private static final List<Job> JOBS = List.of(new Job(ReportJob.NAME, "with the lock and minHoldTime"),
			new Job(ComparisonJobs.WITHOUT_MIN_HOLD, "with the lock, no minHoldTime"),
			new Job(ComparisonJobs.WITHOUT_LOCK, "without the lock"));

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

	private ScheduledReportDemo() {
	}

	/** A job that every instance runs, and its column's title. */
	private record Job(String name, String title) {
	}

	/**
	 * What the demo saw.
	 *
	 * @param lockBackend the lock backend the instances chose
	 * @param tally the reports of the counted windows
	 */
	public record Outcome(String lockBackend, Tally tally) {
	}

	/**
	 * Runs the demo from the command line.
	 * @return the exit code: 0 when {@link ReportJob} built exactly one report per window, 1 when not or when an
	 * instance failed to start, 2 for bad arguments
	 */
	public static int runFromCommandLine(String... args) throws Exception {
		DemoOptions options;
		try {
			options = DemoOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.println("Usage: --demo [--instances=3] [--windows=6] [--window=3s] [--skew=250ms] [instance arguments, "
					+ "e.g. --spring.profiles.active=redis]");
			return 2;
		}
		try {
			return run(options, System.out).tally().ranOncePerWindow(ReportJob.NAME) ? 0 : 1;
		}
		catch (IllegalStateException ex) {
			System.out.println();
			System.err.println("The demo failed: " + ex.getMessage());
			return 1;
		}
	}

	/** Runs the demo, printing progress and the result to {@code out}. */
	public static Outcome run(DemoOptions options, PrintStream out) throws Exception {
		Path logs = Files.createTempDirectory("scheduled-report-demo-");
		boolean keepLogs = true;
		List<Instance> instances = new ArrayList<>();
		Queue<ReportBuilt> reports = new ConcurrentLinkedQueue<>();
		try (SharedDatabase database = options.hasOwnDatabase() ? null : SharedDatabase.start()) {
			printIntro(options, database, out);
			out.printf("Starting %d instance(s)... ", options.instances());
			out.flush();
			long starting = System.nanoTime();
			for (int i = 1; i <= options.instances(); i++) {
				instances.add(Instance.start(name(i), instanceArgs(i, database, options), logs.resolve(name(i) + ".log"),
						reports::add));
			}
			String backend = null;
			for (Instance instance : instances) {
				backend = instance.awaitReady(options.startupTimeout());
			}
			out.printf("ready in %.1fs; lock backend: %s%n", (System.nanoTime() - starting) / 1e9, backend);

			List<Instant> windows = countedWindows(Instant.now(), options);
			Instant last = windows.get(windows.size() - 1);
			out.printf("Counting the runs in %d windows, %s to %s UTC (after %d warm-up windows)... ", windows.size(),
					TIME.format(windows.get(0)), TIME.format(last.plus(options.window())), DemoOptions.WARM_UP_WINDOWS);
			out.flush();
			// a run of the last window starts before the next one (by its instance's clock, up to the spread behind)
			sleepUntil(last.plus(options.window()).plus(options.spread()).plus(DemoOptions.BUILD_TIME).plusSeconds(1));
			out.printf("done%n%n");
			Outcome outcome = new Outcome(backend, new Tally(windows, List.copyOf(reports)));
			print(outcome.tally(), out);
			keepLogs = !outcome.tally().ranOncePerWindow(ReportJob.NAME);
			return outcome;
		}
		finally {
			instances.forEach(Instance::stop);
			for (Instance instance : instances) {
				instance.awaitEnd();
			}
			if (keepLogs) {
				out.println("Logs of the instances: " + logs);
			}
			else {
				deleteRecursively(logs);
			}
		}
	}

	private static void printIntro(DemoOptions options, SharedDatabase database, PrintStream out) {
		out.printf("Scheduled report: %d instance(s) of the application, each in its own JVM, share one lock store.%n",
				options.instances());
		if (database != null) {
			out.printf("Their database (the jdbc backend keeps its lock table there): %s%n", database.url());
		}
		out.printf("Each instance fires the same %dms job on the cron \"%s\" (one window = %s), three times over:%n",
				DemoOptions.BUILD_TIME.toMillis(), options.cron(), readable(options.window()));
		out.printf("  %-25s @DistributedLocked(name = \"%s\", whenLocked = SKIP, waitTime = \"0\", minHoldTime = \"%s\")%n",
				ReportJob.NAME, ReportJob.NAME, Objects.requireNonNullElse(options.instanceProperty("scheduled-report.min-hold-time"),
						readable(options.minHoldTime())));
		out.printf("  %-25s @DistributedLocked(name = \"%s\", whenLocked = SKIP, waitTime = \"0\")%n",
				ComparisonJobs.WITHOUT_MIN_HOLD, ComparisonJobs.WITHOUT_MIN_HOLD);
		out.printf("  %-25s no lock%n", ComparisonJobs.WITHOUT_LOCK);
		out.printf("Clocks: %s, so their schedules fire up to %s apart.%n%n",
				Stream.iterate(1, (i) -> i + 1)
					.limit(options.instances())
					.map((i) -> "#" + i + " " + signed(options.clockOffset(i)))
					.collect(Collectors.joining(", ")),
				readable(options.spread()));
	}

	private static List<String> instanceArgs(int number, SharedDatabase database, DemoOptions options) {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("scheduled-report.demo.instance", "true");
		properties.put("scheduled-report.instance-name", name(number));
		properties.put("scheduled-report.demo.clock-offset", options.clockOffset(number).toMillis() + "ms");
		properties.put("scheduled-report.cron", options.cron());
		properties.put("scheduled-report.min-hold-time", readable(options.minHoldTime()));
		properties.put("scheduled-report.build-time", readable(DemoOptions.BUILD_TIME));
		properties.put("spring.task.scheduling.pool.size", String.valueOf(JOBS.size())); // the jobs fire at the same moment
		if (database != null) {
			properties.put("spring.datasource.url", database.url());
		}
		// the user's arguments win: a property given twice would be read as both values, joined by a comma
		properties.keySet().removeIf((key) -> options.instanceProperty(key) != null);
		List<String> args = new ArrayList<>();
		properties.forEach((key, value) -> args.add("--" + key + "=" + value));
		args.addAll(options.instanceArgs());
		return args;
	}

	/** The windows to count: the first starts {@link DemoOptions#WARM_UP_WINDOWS} windows after {@code now}. */
	static List<Instant> countedWindows(Instant now, DemoOptions options) {
		long length = options.window().toMillis();
		long first = (Math.floorDiv(now.toEpochMilli(), length) + 1 + DemoOptions.WARM_UP_WINDOWS) * length;
		return Stream.iterate(first, (start) -> start + length)
			.limit(options.windows())
			.map(Instant::ofEpochMilli)
			.toList();
	}

	private static void print(Tally tally, PrintStream out) {
		StringBuilder titles = new StringBuilder(String.format("%-14s", ""));
		StringBuilder headings = new StringBuilder(String.format("%-14s", "window (UTC)"));
		for (Job job : JOBS) {
			titles.append(String.format("%-32s", job.title()));
			headings.append(String.format("%-32s", "runs  built by"));
		}
		out.println(titles.toString().stripTrailing());
		out.println(headings.toString().stripTrailing());
		for (Instant window : tally.windows()) {
			StringBuilder row = new StringBuilder(String.format("%-14s", TIME.format(window)));
			for (Job job : JOBS) {
				List<ReportBuilt> runs = tally.runs(job.name(), window);
				String by = runs.stream().map((run) -> run.builtBy().replace("instance-", "#")).collect(Collectors.joining(" "));
				row.append(String.format("%4d  %-26s", runs.size(), by));
			}
			out.println(row.toString().stripTrailing());
		}
		out.println();
		for (Job job : JOBS) {
			out.printf("%-31s %s%n", capitalized(job.title()) + ":", summary(tally.runsPerWindow(job.name())));
		}
		out.printf("The latest run started %d ms after its scheduled time (by its instance's clock).%n",
				tally.latestStart().toMillis());
	}

	private static String summary(List<Integer> runsPerWindow) {
		int fewest = runsPerWindow.stream().min(Comparator.naturalOrder()).orElse(0);
		int most = runsPerWindow.stream().max(Comparator.naturalOrder()).orElse(0);
		if (fewest == 1 && most == 1) {
			return "exactly 1 run in each of the " + runsPerWindow.size() + " windows.";
		}
		int total = runsPerWindow.stream().mapToInt(Integer::intValue).sum();
		return total + " runs in " + runsPerWindow.size() + " windows ("
				+ ((fewest == most) ? String.valueOf(most) : fewest + " to " + most) + " per window).";
	}

	private static String name(int number) {
		return "instance-" + number;
	}

	/** {@code 2s}, {@code 1500ms}: as a property would say it. */
	static String readable(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
	}

	private static String signed(Duration offset) {
		return (offset.isNegative() ? "-" : "+") + offset.abs().toMillis() + "ms";
	}

	private static String capitalized(String title) {
		return Character.toUpperCase(title.charAt(0)) + title.substring(1);
	}

	private static void sleepUntil(Instant time) throws InterruptedException {
		long millis = Duration.between(Instant.now(), time).toMillis();
		if (millis > 0) {
			Thread.sleep(millis);
		}
	}

	private static void deleteRecursively(Path directory) throws IOException {
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}
}
