package io.distlock.sample.flashsale.demo;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarFile;

import io.distlock.sample.flashsale.FlashSaleApplication;

/**
 * One instance of the shop in its own JVM, started from this JVM's class path (or executable jar). Its output goes
 * to a log file; {@link #awaitReady} waits for the line in which it reports its port. Closing its standard input
 * stops it ({@link DemoInstance}), so an instance stops with its launcher whichever way that ends.
 */
final class Instance implements AutoCloseable {

	private static final int TAIL_LINES = 15;

	private final String name;

	private final Process process;

	private final Path log;

	private final CompletableFuture<Ready> ready = new CompletableFuture<>();

	private final Deque<String> tail = new ArrayDeque<>();

	/** What a started instance reported: its HTTP port and the lock backend it chose. */
	record Ready(int port, String lockBackend) {
	}

	private Instance(String name, Process process, Path log) {
		this.name = name;
		this.process = process;
		this.log = log;
		Thread reader = new Thread(this::copyOutput, "demo-" + name + "-output");
		reader.setDaemon(true);
		reader.start();
	}

	/** Starts an instance with these application arguments; its output goes to {@code log}. */
	static Instance start(String name, List<String> args, Path log) throws IOException {
		List<String> command = new ArrayList<>(javaCommand());
		command.addAll(args);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		return new Instance(name, process, log);
	}

	/**
	 * Waits until the instance has started.
	 * @throws IllegalStateException if it exits or stays silent for {@code timeout}, with the end of its log
	 */
	Ready awaitReady(Duration timeout) throws InterruptedException {
		try {
			return this.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(this.name + " exited before it was ready" + logTail(), ex);
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(this.name + " was not ready within " + timeout.toSeconds() + "s" + logTail(), ex);
		}
	}

	String name() {
		return this.name;
	}

	/** Asks the instance to stop (end of its standard input), and kills it if it has not within 20 seconds. */
	@Override
	public void close() throws InterruptedException {
		try {
			this.process.getOutputStream().close();
		}
		catch (IOException ex) {
			// already gone
		}
		if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
	}

	private void copyOutput() {
		try (BufferedReader in = new BufferedReader(new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter out = new PrintWriter(Files.newBufferedWriter(this.log, StandardCharsets.UTF_8), true)) {
			String line;
			while ((line = in.readLine()) != null) {
				out.println(line);
				remember(line);
				if (line.startsWith(DemoInstance.READY)) {
					this.ready.complete(parseReady(line));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			this.ready.completeExceptionally(ex);
		}
		this.ready.completeExceptionally(new IllegalStateException(this.name + " closed its output"));
	}

	/** Keeps the last lines for an error message, without stack frames: the causes are what explain a failure. */
	private synchronized void remember(String line) {
		String trimmed = line.trim();
		if (trimmed.startsWith("at ") || (trimmed.startsWith("... ") && trimmed.endsWith("omitted"))) {
			return;
		}
		if (this.tail.size() == TAIL_LINES) {
			this.tail.removeFirst();
		}
		this.tail.addLast(line);
	}

	private synchronized String logTail() {
		return "; last lines of " + this.log + ":\n  " + String.join("\n  ", this.tail);
	}

	/** Parses {@code FLASH-SALE-READY port=8080 lock=jdbc}. */
	private static Ready parseReady(String line) {
		int port = 0;
		String backend = "?";
		for (String part : line.split(" ")) {
			if (part.startsWith("port=")) {
				port = Integer.parseInt(part.substring(5));
			}
			else if (part.startsWith("lock=")) {
				backend = part.substring(5);
			}
		}
		return new Ready(port, backend);
	}

	/**
	 * {@code java} with small-heap, fast-start options and this JVM's code: {@code -jar} when this JVM runs the
	 * executable jar, else {@code -cp} with the application's main class (IDE, tests, {@code spring-boot:run}).
	 */
	private static List<String> javaCommand() {
		String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
				"-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
		String classPath = System.getProperty("java.class.path");
		if (isExecutableJar(classPath)) {
			command.addAll(List.of("-jar", classPath));
		}
		else {
			command.addAll(List.of("-cp", classPath, FlashSaleApplication.class.getName()));
		}
		return command;
	}

	private static boolean isExecutableJar(String classPath) {
		if (classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
			return false;
		}
		try (JarFile jar = new JarFile(classPath)) {
			return jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue("Start-Class") != null;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + classPath, ex);
		}
	}
}
