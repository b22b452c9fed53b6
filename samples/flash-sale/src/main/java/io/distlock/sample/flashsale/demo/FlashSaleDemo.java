package io.distlock.sample.flashsale.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.distlock.sample.flashsale.StockStatus;

/**
 * The flash-sale demo: starts several instances of the shop as separate JVMs against one shared database, puts
 * a small stock on sale, lets many buyers order at the same moment, and prints stock, sold and oversold — once
 * through {@code POST /orders} ({@code @DistributedLocked}) and once through the same purchase past the lock
 * ({@link UnlockedOrderController}).
 *
 * <p>By default the database is an H2 TCP server that this launcher starts on a free port and that holds both the
 * stock and the jdbc backend's lock table. Arguments other than {@code --instances}, {@code --stock} and
 * {@code --buyers} go to every instance, e.g. {@code --spring.profiles.active=redis}. Instances, the server and
 * (after a successful run) the instances' logs are gone when it returns.
 */
public final class FlashSaleDemo {

	/** The argument that starts the demo instead of the shop. */
	public static final String FLAG = "--demo";

	private static final String WITH_LOCK = "with @DistributedLocked";

	private static final String WITHOUT_LOCK = "without the lock";

	private FlashSaleDemo() {
	}

	/**
	 * One round of the sale.
	 *
	 * @param title what was different in this round
	 * @param lockBackend the lock backend the instances chose ({@code none} when the lock was off)
	 * @param status what the database says at the end
	 * @param outcomes what the buyers were answered
	 */
	record Round(String title, String lockBackend, StockStatus status, Buyers.Outcomes outcomes) {

		int oversold() {
			return this.status.oversold();
		}
	}

	/** Both rounds. */
	record Report(Round withLock, Round withoutLock) {
	}

	/**
	 * Runs the demo from the command line.
	 * @return the exit code: 0 when the lock prevented every oversell, 1 when not or when an instance failed to
	 * start, 2 for bad arguments
	 */
	public static int runFromCommandLine(String... args) throws Exception {
		DemoOptions options;
		try {
			options = DemoOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.println("Usage: --demo [--instances=3] [--stock=10] [--buyers=60] [instance arguments, "
					+ "e.g. --spring.profiles.active=redis]");
			return 2;
		}
		try {
			Round locked = run(options, System.out).withLock();
			return (locked.oversold() == 0 && locked.outcomes().failed() == 0) ? 0 : 1;
		}
		catch (IllegalStateException ex) {
			System.out.println();
			System.err.println("The demo failed: " + ex.getMessage());
			return 1;
		}
	}

	/** Runs both rounds, printing progress and the result to {@code out}. */
	static Report run(DemoOptions options, PrintStream out) throws Exception {
		Path logs = Files.createTempDirectory("flash-sale-demo-");
		boolean keepLogs = true;
		List<Instance> instances = new ArrayList<>();
		try (SharedDatabase database = options.hasOwnDatabase() ? null : SharedDatabase.start()) {
			out.printf("Flash sale: %d instance(s) of the shop, each in its own JVM, sell from one shared stock%n",
					options.instances());
			out.printf("in %s.%n", (database != null) ? database.url() : "the database that the instance arguments name");
			out.printf("Each round puts %d items of '%s' on sale, then %d buyers order one each at the same moment,%n",
					options.stock(), options.sku(), options.buyers());
			out.printf("spread over the instances.%n%n");
			out.printf("Starting %d instance(s)... ", options.instances());
			out.flush();
			long started = System.nanoTime();
			for (int i = 1; i <= options.instances(); i++) {
				instances.add(Instance.start("instance-" + i, instanceArgs(i, database, options), logs.resolve("instance-" + i + ".log")));
			}
			List<Integer> ports = new ArrayList<>();
			String backend = null;
			for (Instance instance : instances) {
				Instance.Ready ready = instance.awaitReady(options.startupTimeout());
				ports.add(ready.port());
				backend = ready.lockBackend();
			}
			out.printf("ready in %s; lock backend: %s%n%n", seconds(System.nanoTime() - started), backend);
			ShopClient shop = new ShopClient();
			Round withLock = round(WITH_LOCK, backend, "/orders", shop, ports, options, out);
			Round withoutLock = round(WITHOUT_LOCK, "none", UnlockedOrderController.PATH, shop, ports, options, out);
			print(withLock, withoutLock, out);
			keepLogs = withLock.oversold() > 0 || withLock.outcomes().failed() > 0;
			return new Report(withLock, withoutLock);
		}
		finally {
			for (Instance instance : instances) {
				instance.close();
			}
			if (keepLogs) {
				out.println("Logs of the instances: " + logs);
			}
			else {
				deleteRecursively(logs);
			}
		}
	}

	static List<String> instanceArgs(int number, SharedDatabase database, DemoOptions options) {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("server.port", "0");
		properties.put("flash-sale.demo.instance", "true");
		properties.put("flash-sale.instance-name", "instance-" + number);
		if (database != null) {
			properties.put("spring.datasource.url", database.url());
		}
		// the user's arguments win: a property given twice would be read as both values, joined by a comma
		properties.keySet().removeIf(options::givesInstanceProperty);
		List<String> args = new ArrayList<>();
		properties.forEach((key, value) -> args.add("--" + key + "=" + value));
		args.addAll(options.instanceArgs());
		return args;
	}

	private static Round round(String title, String backend, String path, ShopClient shop, List<Integer> ports,
			DemoOptions options, PrintStream out) throws Exception {
		out.printf("%s (POST %s): selling... ", title, path);
		out.flush();
		shop.restock(ports.get(0), options.sku(), options.stock());
		for (int port : ports) {
			shop.status(port, options.sku()); // each instance has served a request before the crowd arrives
		}
		long selling = System.nanoTime();
		Buyers.Outcomes outcomes = Buyers.buy(shop, ports, path, options.sku(), options.buyers());
		StockStatus status = shop.status(ports.get(0), options.sku());
		out.printf("done in %s%n", seconds(System.nanoTime() - selling));
		return new Round(title, backend, status, outcomes);
	}

	private static void print(Round withLock, Round withoutLock, PrintStream out) {
		out.println();
		out.printf("%-26s %6s %6s %6s %9s %9s %6s%n", "", "stock", "sold", "left", "oversold", "sold out", "busy");
		for (Round round : List.of(withLock, withoutLock)) {
			StockStatus status = round.status();
			Buyers.Outcomes outcomes = round.outcomes();
			out.printf("%-26s %6d %6d %6d %9d %9d %6d%n", round.title(), status.stock(), status.sold(), status.left(),
					round.oversold(), outcomes.soldOut(), outcomes.busy());
		}
		out.println();
		for (Round round : List.of(withLock, withoutLock)) {
			if (round.outcomes().failed() > 0) {
				out.printf("%s: %d orders failed, the first with %s%n", round.title(), round.outcomes().failed(),
						round.outcomes().firstFailure());
			}
		}
		out.printf("With the lock: %d sold of %d, oversold %d. Without it: %d sold of %d, oversold %d.%n",
				withLock.status().sold(), withLock.status().stock(), withLock.oversold(), withoutLock.status().sold(),
				withoutLock.status().stock(), withoutLock.oversold());
		StockStatus unlocked = withoutLock.status();
		if (unlocked.sold() + unlocked.left() != unlocked.stock()) {
			out.printf("Without it, the stock count is wrong too: %d left after %d sold of %d (lost updates).%n",
					unlocked.left(), unlocked.sold(), unlocked.stock());
		}
		if (withoutLock.oversold() == 0) {
			out.println("(No two unlocked purchases overlapped this time; more --buyers make it likelier.)");
		}
	}

	private static String seconds(long nanos) {
		return String.format("%.1fs", nanos / 1e9);
	}

	private static void deleteRecursively(Path directory) throws IOException {
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}
}
