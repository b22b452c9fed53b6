package io.distlock.sample.scheduledreport.demo;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.distlock.sample.scheduledreport.ReportBuilt;
import io.distlock.sample.scheduledreport.ScheduledReportApplication;

/**
 * One instance of the application in its own JVM, started from this JVM's class path or executable jar. Its output
 * goes to a log file; the lines of {@link InstanceLine} are read from it on the way. Closing its standard input
 * stops it ({@link DemoInstance}), so an instance stops with its launcher whichever way that ends.
 */
final class Instance {

	private static final int REMEMBERED_LINES = 15;

	private final String name;

	private final Process process;

	private final Path log;

	private final Consumer<ReportBuilt> reports;

	private final CompletableFuture<String> lockBackend = new CompletableFuture<>();

	private final LinkedList<String> lastLines = new LinkedList<>();

	private Instance(String name, Process process, Path log, Consumer<ReportBuilt> reports) {
		this.name = name;
		this.process = process;
		this.log = log;
		this.reports = reports;
		Thread reader = new Thread(this::readOutput, "demo-" + name + "-output");
		reader.setDaemon(true);
		reader.start();
	}

	/** Starts an instance with these application arguments; each report it builds goes to {@code reports}. */
	static Instance start(String name, List<String> args, Path log, Consumer<ReportBuilt> reports) throws IOException {
		List<String> command = new ArrayList<>(javaCommand());
		command.addAll(args);
		return new Instance(name, new ProcessBuilder(command).redirectErrorStream(true).start(), log, reports);
	}

	/**
	 * Waits until the instance has started, and returns the lock backend it chose.
	 * @throws IllegalStateException if it exits or stays silent for {@code timeout}, with the end of its log
	 */
	String awaitReady(Duration timeout) throws InterruptedException {
		try {
			return this.lockBackend.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException | TimeoutException ex) {
			String what = (ex instanceof TimeoutException) ? " was not ready within " + timeout.toSeconds() + "s"
					: " exited before it was ready";
			throw new IllegalStateException(this.name + what + "; last lines of " + this.log + ":\n  " + lastLines(), ex);
		}
	}

	/** Asks the instance to stop: closes its standard input. */
	void stop() {
		try {
			this.process.getOutputStream().close();
		}
		catch (IOException ex) {
			// already gone
		}
	}

	/** Waits for the instance to end after {@link #stop()}; kills it if it has not within 20 seconds. */
	void awaitEnd() throws InterruptedException {
		if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	private void readOutput() {
		try (BufferedReader in = new BufferedReader(new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter out = new PrintWriter(Files.newBufferedWriter(this.log, StandardCharsets.UTF_8), true)) {
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				out.println(line);
				remember(line);
				ReportBuilt report = InstanceLine.reportIfBuilt(line);
				if (report != null) {
					this.reports.accept(report);
				}
				String backend = InstanceLine.lockBackendIfReady(line);
				if (backend != null) {
					this.lockBackend.complete(backend);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			this.lockBackend.completeExceptionally(ex);
		}
		this.lockBackend.completeExceptionally(new IllegalStateException(this.name + " closed its output"));
	}

	/** Keeps the last lines for an error message, without stack frames: the causes are what explain a failure. */
	private synchronized void remember(String line) {
		if (line.trim().startsWith("at ")) {
			return;
		}
		this.lastLines.addLast(line);
		if (this.lastLines.size() > REMEMBERED_LINES) {
			this.lastLines.removeFirst();
		}
	}

	private synchronized String lastLines() {
		return String.join("\n  ", this.lastLines);
	}

	/**
	 * {@code java} with small-heap, fast-start options and this JVM's code: {@code -jar} when this JVM runs the
	 * executable jar ({@code demo.sh}), else {@code -cp} with the application's main class (IDE, tests).
	 */
	private static List<String> javaCommand() {
		String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
				"-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
		String classPath = System.getProperty("java.class.path");
		boolean executableJar = !classPath.contains(File.pathSeparator) && classPath.endsWith(".jar")
				&& System.getProperty("sun.java.command", "").startsWith(classPath);
		if (executableJar) {
			command.addAll(List.of("-jar", classPath));
		}
		else {
			command.addAll(List.of("-cp", classPath, ScheduledReportApplication.class.getName()));
		}
		return command;
	}
}
