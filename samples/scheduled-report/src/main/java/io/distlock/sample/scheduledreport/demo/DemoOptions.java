package io.distlock.sample.scheduledreport.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.boot.convert.DurationStyle;

/**
 * What the demo does: how many instances, how many windows of which length, how far apart the instances' clocks
 * are, and the arguments every instance gets (a Spring profile, a datasource URL, any property).
 *
 * @param instances how many instances (separate JVMs) to start
 * @param windows how many windows to count, after {@link #WARM_UP_WINDOWS} that are not counted
 * @param window the length of a window: the job's cron fires at the start of each
 * @param skew how far each instance's clock is behind the previous instance's, so that its schedule fires this much
 * later
 * @param startupTimeout how long instances may take to start
 * @param instanceArgs arguments passed to every instance
 */
public record DemoOptions(int instances, int windows, Duration window, Duration skew, Duration startupTimeout,
		List<String> instanceArgs) {

	/** Windows after the instances are ready that are not counted: the first runs of a JVM are slow. */
	static final int WARM_UP_WINDOWS = 2;

	/** How long the demo's job takes: much less than the skew between two instances, as short jobs are. */
	static final Duration BUILD_TIME = Duration.ofMillis(100);

	public DemoOptions {
		require(instances >= 1, "--instances must be at least 1, was " + instances);
		require(windows >= 1, "--windows must be at least 1, was " + windows);
		long seconds = window.getSeconds();
		require(window.getNano() == 0 && seconds >= 1 && seconds <= 30 && 60 % seconds == 0,
				"--window must be a whole number of seconds that divides a minute (1s, 2s, 3s, 4s, 5s, 6s, 10s, 12s, 15s, "
						+ "20s or 30s), was " + ScheduledReportDemo.readable(window));
		require(!skew.isNegative() && spread(instances, skew).multipliedBy(4).compareTo(window) <= 0,
				"--skew times the instances after the first must be at most a quarter of --window ("
						+ ScheduledReportDemo.readable(window) + "), was " + ScheduledReportDemo.readable(skew) + " x " + (instances - 1));
		instanceArgs = List.copyOf(instanceArgs);
	}

	/** The defaults: 3 instances, 6 windows of 3 seconds, clocks 250 ms apart. */
	public static DemoOptions defaults() {
		return new DemoOptions(3, 6, Duration.ofSeconds(3), Duration.ofMillis(250), Duration.ofSeconds(120), List.of());
	}

	/**
	 * Reads {@code --instances=n}, {@code --windows=n}, {@code --window=3s} and {@code --skew=250ms}; drops
	 * {@code --demo}; passes every other argument to the instances.
	 * @throws IllegalArgumentException naming the argument that is not valid
	 */
	public static DemoOptions parse(String... args) {
		DemoOptions options = defaults();
		int instances = options.instances();
		int windows = options.windows();
		Duration window = options.window();
		Duration skew = options.skew();
		List<String> passed = new ArrayList<>();
		for (String arg : args) {
			String value = arg.substring(arg.indexOf('=') + 1);
			if (arg.startsWith("--instances=")) {
				instances = number(arg, value);
			}
			else if (arg.startsWith("--windows=")) {
				windows = number(arg, value);
			}
			else if (arg.startsWith("--window=")) {
				window = duration(arg, value);
			}
			else if (arg.startsWith("--skew=")) {
				skew = duration(arg, value);
			}
			else if (!arg.equals(ScheduledReportDemo.FLAG)) {
				passed.add(arg);
			}
		}
		return new DemoOptions(instances, windows, window, skew, options.startupTimeout(), passed);
	}

	/** The cron that fires at the start of every window. */
	String cron() {
		return "*/" + this.window.getSeconds() + " * * * * *";
	}

	/**
	 * The lock's minimum hold time: half a window more than the spread of the clocks. A later instance fires within
	 * the spread, so it finds the lock taken unless it is more than half a window late; the first instance fires
	 * again a window later, when the lock has been free for half a window less the spread (at least a quarter of a
	 * window). Half a window either way is the slack for a busy machine.
	 */
	Duration minHoldTime() {
		return this.window.dividedBy(2).plus(spread());
	}

	/** How far instance {@code number} (from 1)'s clock is off the machine's: behind, by {@code skew} per instance. */
	Duration clockOffset(int number) {
		return this.skew.multipliedBy(number - 1).negated();
	}

	/** How far apart the earliest and the latest instance's schedules fire. */
	Duration spread() {
		return spread(this.instances, this.skew);
	}

	/** Returns the value that the instance arguments give the property {@code key}, {@code null} if none. */
	String instanceProperty(String key) {
		String prefix = "--" + key + "=";
		return this.instanceArgs.stream()
			.filter((arg) -> arg.startsWith(prefix))
			.reduce((first, second) -> second)
			.map((arg) -> arg.substring(prefix.length()))
			.orElse(null);
	}

	/**
	 * Whether the instances' database is given (a datasource URL, or the postgresql profile): then the demo starts
	 * no H2 server of its own.
	 */
	boolean hasOwnDatabase() {
		String profiles = instanceProperty("spring.profiles.active");
		return instanceProperty("spring.datasource.url") != null
				|| (profiles != null && Arrays.asList(profiles.split(",")).contains("postgresql"));
	}

	private static Duration spread(int instances, Duration skew) {
		return skew.multipliedBy(Math.max(0, instances - 1));
	}

	private static int number(String arg, String value) {
		try {
			return Integer.parseInt(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name(arg) + " must be a number, was '" + value + "'");
		}
	}

	private static Duration duration(String arg, String value) {
		try {
			return DurationStyle.detectAndParse(value.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(name(arg) + " must be a duration such as 2s or 250ms, was '" + value + "'");
		}
	}

	private static String name(String arg) {
		return arg.substring(0, arg.indexOf('='));
	}

	private static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}
}
