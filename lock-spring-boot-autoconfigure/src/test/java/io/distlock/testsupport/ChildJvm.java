package io.distlock.testsupport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a {@code main} class from the test class path: a second "application instance"
 * that can be killed ({@code kill -9}) or paused ({@code SIGSTOP}/{@code SIGCONT}) like a real one.
 * Its standard output is collected line by line; its standard input takes commands.
 */
public final class ChildJvm implements AutoCloseable {

	private final Process process;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private final List<String> all = new CopyOnWriteArrayList<>();

	private final PrintWriter stdin;

	private ChildJvm(Process process) {
		this.process = process;
		this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
		Thread reader = new Thread(() -> {
			try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = in.readLine()) != null) {
					this.all.add(line);
					this.lines.add(line);
				}
			}
			catch (IOException ex) {
				// the child died: its lines so far are kept
			}
		}, "child-jvm-reader-" + process.pid());
		reader.setDaemon(true);
		reader.start();
	}

	/** Starts {@code mainClass} in a new JVM with this JVM's class path and the given arguments. */
	public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
		command.add("-Xmx256m");
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass.getName());
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.redirectError(new File(System.getProperty("java.io.tmpdir"), "child-" + mainClass.getSimpleName() + "-" + System.nanoTime() + ".err"));
		return new ChildJvm(builder.start());
	}

	/** Sends one line to the child's standard input. */
	public void send(String line) {
		this.stdin.println(line);
	}

	/**
	 * Waits for the next output line that starts with {@code prefix}, skipping others.
	 * @throws AssertionError if none arrives in time or the child died
	 */
	public String await(String prefix, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			long left = deadline - System.nanoTime();
			String line = this.lines.poll(Math.max(0, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200))), TimeUnit.NANOSECONDS);
			if (line != null && line.startsWith(prefix)) {
				return line;
			}
			if (line == null && !this.process.isAlive() && this.lines.isEmpty()) {
				throw new AssertionError("child JVM exited (" + this.process.exitValue() + ") before printing '" + prefix + "'; output: " + this.all);
			}
			if (left <= 0) {
				throw new AssertionError("child JVM printed no '" + prefix + "' within " + timeout + "; output: " + this.all);
			}
		}
	}

	/** Returns every line printed so far. */
	public List<String> output() {
		return List.copyOf(this.all);
	}

	/** Kills the child at once, as {@code kill -9} does: nothing of it runs afterwards. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

	/** Pauses the child ({@code SIGSTOP}), as a long GC pause or a swapped-out process would. */
	public void pause() throws Exception {
		signal("STOP");
	}

	/** Resumes a paused child ({@code SIGCONT}). */
	public void resume() throws Exception {
		signal("CONT");
	}

	/** Waits for the child to exit by itself and returns its exit code. */
	public int waitFor(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("child JVM did not exit within " + timeout + "; output: " + this.all);
		}
		return this.process.exitValue();
	}

	/** Returns the child's process id. */
	public long pid() {
		return this.process.pid();
	}

	private void signal(String name) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(this.process.pid())).inheritIO().start();
		if (kill.waitFor() != 0) {
			throw new IllegalStateException("kill -" + name + " " + this.process.pid() + " failed");
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			try {
				resume();
			}
			catch (Exception ex) {
				// best effort: a stopped process cannot die of SIGKILL until continued on some kernels
			}
			kill();
		}
	}
}
