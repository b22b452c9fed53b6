package io.distlock.sample.flashsale.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the demo does: how many instances, how much stock, how many buyers, and the arguments every instance
 * gets (a Spring profile, a datasource URL, any property).
 *
 * @param instances how many instances (separate JVMs) to start per round
 * @param stock the stock put on sale at the start of each round
 * @param buyers how many buyers order one item each, all at once, spread over the instances
 * @param sku the SKU on sale
 * @param startupTimeout how long instances may take to start
 * @param instanceArgs arguments passed to every instance
 */
public record DemoOptions(int instances, int stock, int buyers, String sku, Duration startupTimeout,
		List<String> instanceArgs) {

	public DemoOptions {
		require(instances >= 1, "--instances must be at least 1, was " + instances);
		require(stock >= 1, "--stock must be at least 1, was " + stock);
		require(buyers > stock, "--buyers must be more than --stock (" + stock + "), was " + buyers);
		instanceArgs = List.copyOf(instanceArgs);
	}

	/** The defaults: 3 instances, 10 items, 60 buyers. */
	public static DemoOptions defaults() {
		return new DemoOptions(3, 10, 60, "console", Duration.ofSeconds(120), List.of());
	}

	/**
	 * Reads {@code --instances=n}, {@code --stock=n} and {@code --buyers=n}; drops {@code --demo}; passes every
	 * other argument to the instances.
	 * @throws IllegalArgumentException naming the argument that is not valid
	 */
	public static DemoOptions parse(String... args) {
		DemoOptions options = defaults();
		int instances = options.instances();
		int stock = options.stock();
		int buyers = options.buyers();
		List<String> passed = new ArrayList<>();
		for (String arg : args) {
			if (arg.equals(FlashSaleDemo.FLAG)) {
				continue;
			}
			if (arg.startsWith("--instances=")) {
				instances = number(arg);
			}
			else if (arg.startsWith("--stock=")) {
				stock = number(arg);
			}
			else if (arg.startsWith("--buyers=")) {
				buyers = number(arg);
			}
			else {
				passed.add(arg);
			}
		}
		return new DemoOptions(instances, stock, buyers, options.sku(), options.startupTimeout(), passed);
	}

	/** Returns a copy with other instance arguments. */
	public DemoOptions withInstanceArgs(String... args) {
		return new DemoOptions(this.instances, this.stock, this.buyers, this.sku, this.startupTimeout, Arrays.asList(args));
	}

	/** Whether the instance arguments give the property {@code key} ({@code --key=value}). */
	boolean givesInstanceProperty(String key) {
		String prefix = "--" + key + "=";
		return this.instanceArgs.stream().anyMatch((arg) -> arg.startsWith(prefix));
	}

	/**
	 * Whether the instances' database is given (a datasource URL, or the postgresql profile): then the demo starts
	 * no H2 server of its own.
	 */
	boolean hasOwnDatabase() {
		for (String arg : this.instanceArgs) {
			if (arg.startsWith("--spring.datasource.url=")) {
				return true;
			}
			if (arg.startsWith("--spring.profiles.active=")
					&& Arrays.asList(arg.substring(arg.indexOf('=') + 1).split(",")).contains("postgresql")) {
				return true;
			}
		}
		return false;
	}

	private static int number(String arg) {
		String value = arg.substring(arg.indexOf('=') + 1);
		try {
			return Integer.parseInt(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(arg.substring(0, arg.indexOf('=')) + " must be a number, was '" + value + "'");
		}
	}

	private static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}
}
