package io.distlock.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} that a test starts on a free port, and can kill ({@code kill -9}),
 * pause ({@code SIGSTOP}), resume and restart on the same port. Nothing is persisted: a restart
 * starts empty, like a crashed server without persistence.
 *
 * <p>Which binary, in this order:
 * <ol>
 * <li>the system property {@code redis.server} (a path), if set;</li>
 * <li>the Linux x86-64 binary shipped inside {@code com.github.codemonstur:embedded-redis} (Redis 6.2),
 * extracted to {@code java.io.tmpdir} (the build directory), if it runs here;</li>
 * <li>{@code redis-server} on the {@code PATH}.</li>
 * </ol>
 * The first one whose {@code --version} runs is used, so a machine without a matching shipped binary
 * (another OS or CPU) still works with an installed Redis.
 */
public final class RedisServerProcess implements AutoCloseable {

	private static final String SHIPPED = "redis-server-6.2.6-v5-linux-amd64";

	private static String binary;

	private final int port;

	private Process process;

	private List<String> arguments = List.of();

	private RedisServerProcess(int port) {
		this.port = port;
	}

	/** Starts a server on a free port. */
	public static RedisServerProcess start() throws Exception {
		RedisServerProcess server = new RedisServerProcess(freePort());
		server.startProcess();
		return server;
	}

	private static RedisServerProcess shared;

	/**
	 * Returns one server for the test classes that never kill, pause or restart it, started on first
	 * use and stopped when the test JVM exits.
	 */
	public static synchronized RedisServerProcess shared() throws Exception {
		if (shared == null) {
			RedisServerProcess server = start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					server.close();
				}
				catch (Exception ex) {
					// the JVM is exiting anyway
				}
			}, "redis-server-stop"));
			shared = server;
		}
		return shared;
	}

	public int port() {
		return this.port;
	}

	/** Kills the server at once; its data is gone. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

	/** Starts the server again on the same port, empty. */
	public void restart() throws Exception {
		if (this.process.isAlive()) {
			kill();
		}
		startProcess();
	}

	/** Pauses the server (SIGSTOP): connections stay open, nothing is answered. */
	public void pause() throws Exception {
		signal("STOP");
	}

	/** Resumes a paused server (SIGCONT). */
	public void resume() throws Exception {
		signal("CONT");
	}

	@Override
	public void close() throws Exception {
		if (this.process != null && this.process.isAlive()) {
			resume();
			kill();
		}
	}

	private void startProcess() throws Exception {
		List<String> command = new ArrayList<>();
		command.add(binary());
		command.addAll(this.arguments);
		command.addAll(List.of("--port", Integer.toString(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
				"--dir", System.getProperty("java.io.tmpdir")));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.redirectErrorStream(true);
		builder.redirectOutput(new File(System.getProperty("java.io.tmpdir"), "redis-" + this.port + ".log"));
		this.process = builder.start();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (!ping()) {
			if (!this.process.isAlive() || System.nanoTime() - deadline > 0) {
				this.process.destroyForcibly();
				throw new IllegalStateException("redis-server (" + binary() + ") did not start on port " + this.port
						+ "; see redis-" + this.port + ".log in " + System.getProperty("java.io.tmpdir"));
			}
			Thread.sleep(20);
		}
	}

	private boolean ping() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
			socket.setSoTimeout(500);
			socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			byte[] reply = new byte[7];
			int n = socket.getInputStream().read(reply);
			return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void signal(String name) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(this.process.pid())).inheritIO().start();
		if (kill.waitFor() != 0) {
			throw new IllegalStateException("kill -" + name + " " + this.process.pid() + " failed");
		}
	}

	static synchronized String binary() throws IOException, InterruptedException {
		if (binary != null) {
			return binary;
		}
		String configured = System.getProperty("redis.server");
		if (configured != null && runs(configured)) {
			return binary = configured;
		}
		String shipped = extractShipped();
		if (shipped != null && runs(shipped)) {
			return binary = shipped;
		}
		if (runs("redis-server")) {
			return binary = "redis-server";
		}
		throw new IllegalStateException("No runnable redis-server: the binary shipped in embedded-redis is for Linux x86-64 "
				+ "only; install Redis (redis-server on the PATH) or set -Dredis.server=/path/to/redis-server");
	}

	private static String extractShipped() throws IOException {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
		if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
			return null;
		}
		try (InputStream in = RedisServerProcess.class.getResourceAsStream("/" + SHIPPED)) {
			if (in == null) {
				return null;
			}
			Path target = Path.of(System.getProperty("java.io.tmpdir"), SHIPPED);
			Path partial = Files.createTempFile(target.getParent(), SHIPPED, ".part");
			Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
			partial.toFile().setExecutable(true);
			Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return target.toString();
		}
	}

	private static boolean runs(String command) throws InterruptedException {
		try {
			Process p = new ProcessBuilder(List.of(command, "--version")).redirectErrorStream(true).start();
			p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
			return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Starts a server on {@code port} with more command-line {@code arguments}, passed before the usual
	 * ones: a config file, which redis-server takes only as its first argument, may be one of them.
	 */
	static RedisServerProcess start(int port, String... arguments) throws Exception {
		RedisServerProcess server = new RedisServerProcess(port);
		server.arguments = List.of(arguments);
		server.startProcess();
		return server;
	}
}
