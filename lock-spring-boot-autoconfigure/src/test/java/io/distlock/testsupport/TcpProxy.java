package io.distlock.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy for fault tests: clients connect to {@link #port()} and are forwarded to a server.
 * {@link #cut()} black-holes every connection, as a network partition does: sockets stay open, bytes
 * in either direction are dropped, and new connections are accepted but never forwarded.
 *
 * {@link #delay(Duration)} only slows the network down: every byte arrives, in order, that much later,
 * and a connection closed on one side closes on the other once what was sent before has arrived.
 *
 * <p>Each forwarded connection is a {@link Link} ({@link #links()}), which a test can pick by what the
 * client sent on it ({@link Link#sentText()}, e.g. the one that carried {@code SUBSCRIBE}) and then
 * close, black-hole or hold back alone, leaving the client's other connections working.
 */
public final class TcpProxy implements AutoCloseable {

	/** How much of what a client sends is kept for {@link Link#sentText()}. */
	private static final int RECORDED_BYTES = 64 * 1024;

	private final ServerSocket listener;

	private final String host;

	private final int targetPort;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final List<Link> links = new CopyOnWriteArrayList<>();

	private volatile boolean cut;

	private volatile long delayNanos;

	private volatile boolean closed;

	/** Starts a proxy on a free local port to {@code host:targetPort}. */
	public TcpProxy(String host, int targetPort) throws IOException {
		this.host = host;
		this.targetPort = targetPort;
		this.listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
		daemon(this::acceptLoop, "tcp-proxy-accept-" + this.listener.getLocalPort());
	}

	/** Returns the port clients connect to. */
	public int port() {
		return this.listener.getLocalPort();
	}

	/** Drops all traffic from now on, without closing any connection. */
	public void cut() {
		this.cut = true;
	}

	/** Delays every byte forwarded from now on, in both directions, by {@code delay}; zero forwards at once again. */
	public void delay(Duration delay) {
		this.delayNanos = delay.toNanos();
	}

	/** Returns the forwarded connections, oldest first (closed ones included). */
	public List<Link> links() {
		return List.copyOf(this.links);
	}

	/**
	 * Returns the open connections on which the client sent {@code text} (case-insensitive, within
	 * the first {@value #RECORDED_BYTES} bytes).
	 */
	public List<Link> linksThatSent(String text) {
		return this.links.stream().filter((link) -> !link.isClosed() && link.sentText().toUpperCase().contains(text.toUpperCase())).toList();
	}

	private void acceptLoop() {
		while (!this.closed) {
			try {
				Socket client = this.listener.accept();
				// no Nagle on either leg: clients such as ZooKeeper's set TCP_NODELAY, and a proxy that delayed
				// small writes would stall every pipelined request behind a delayed ACK (40 ms)
				client.setTcpNoDelay(true);
				this.sockets.add(client);
				if (this.cut) {
					daemon(() -> drain(client), "tcp-proxy-blackhole");
					continue;
				}
				Socket server = new Socket();
				server.setTcpNoDelay(true);
				server.connect(new InetSocketAddress(this.host, this.targetPort), 5000);
				this.sockets.add(server);
				Link link = new Link(client, server);
				this.links.add(link);
				daemon(link::pumpUp, "tcp-proxy-up");
				daemon(link::pumpDown, "tcp-proxy-down");
			}
			catch (IOException ex) {
				// listener closed, or the target refused: the client sees its connection fail
			}
		}
	}

	private static void drain(Socket socket) {
		byte[] buffer = new byte[8192];
		try (InputStream in = socket.getInputStream()) {
			while (in.read(buffer) >= 0) {
				// dropped
			}
		}
		catch (IOException ex) {
			// closed
		}
	}

	private static void closeQuietly(Socket socket) {
		if (socket != null) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}
	}

	private static void daemon(Runnable runnable, String name) {
		Thread thread = new Thread(runnable, name);
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void close() throws IOException {
		this.closed = true;
		this.listener.close();
		this.sockets.forEach(TcpProxy::closeQuietly);
	}

	/** One forwarded client connection. */
	public final class Link {

		private final Socket client;

		private final Socket server;

		private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

		private final ByteArrayOutputStream heldBack = new ByteArrayOutputStream();

		private volatile boolean blackholed;

		private boolean holding;

		private volatile boolean closed;

		private final Delivery up;

		private final Delivery down;

		private Link(Socket client, Socket server) {
			this.client = client;
			this.server = server;
			this.up = new Delivery(server);
			this.down = new Delivery(client);
		}

		/** Returns what the client sent so far (its first {@value #RECORDED_BYTES} bytes), as text. */
		public String sentText() {
			synchronized (this.sent) {
				return this.sent.toString(StandardCharsets.UTF_8);
			}
		}

		/** Closes both sides at once, as a reset connection: the client sees it drop. */
		public void close() {
			this.closed = true;
			closeQuietly(this.client);
			closeQuietly(this.server);
		}

		/** Silently drops every byte in both directions from now on; the sockets stay open. */
		public void blackhole() {
			this.blackholed = true;
		}

		/**
		 * Holds back what the client sends from now on (in order, nothing dropped) until
		 * {@link #deliver()}: a request delayed in a queue. Answers from the server still flow.
		 */
		public synchronized void holdBack() {
			this.holding = true;
		}

		/** Sends everything held back, in order, and forwards normally from then on. */
		public synchronized void deliver() throws IOException {
			OutputStream out = this.server.getOutputStream();
			out.write(this.heldBack.toByteArray());
			out.flush();
			this.heldBack.reset();
			this.holding = false;
		}

		/** Whether held-back bytes are waiting for {@link #deliver()}. */
		public synchronized boolean hasHeldBackBytes() {
			return this.heldBack.size() > 0;
		}

		/** Whether this link was closed (by the test, or by either side). */
		public boolean isClosed() {
			return this.closed;
		}

		private void pumpUp() {
			byte[] buffer = new byte[8192];
			try (InputStream in = this.client.getInputStream()) {
				OutputStream out = this.server.getOutputStream();
				int n;
				while ((n = in.read(buffer)) >= 0) {
					synchronized (this.sent) {
						this.sent.write(buffer, 0, Math.max(0, Math.min(n, RECORDED_BYTES - this.sent.size())));
					}
					if (TcpProxy.this.cut || this.blackholed) {
						continue;
					}
					synchronized (this) {
						if (this.holding) {
							this.heldBack.write(buffer, 0, n);
							continue;
						}
						this.up.send(buffer, n);
					}
				}
			}
			catch (IOException ex) {
				// one side closed
			}
			finally {
				this.closed = true;
				this.up.end();
			}
		}

		private void pumpDown() {
			byte[] buffer = new byte[8192];
			try (InputStream in = this.server.getInputStream()) {
				int n;
				while ((n = in.read(buffer)) >= 0) {
					if (!TcpProxy.this.cut && !this.blackholed) {
						this.down.send(buffer, n);
					}
				}
			}
			catch (IOException ex) {
				// one side closed
			}
			finally {
				this.closed = true;
				this.down.end();
			}
		}

		/**
		 * One direction of this link: forwards at once, or, while a delay is set, that much later from a
		 * writer thread of its own. Never reorders: bytes go straight through only when nothing is pending.
		 */
		private final class Delivery {

			private final Socket to;

			private final BlockingQueue<Chunk> due = new LinkedBlockingQueue<>();

			private final AtomicInteger pending = new AtomicInteger();

			private boolean writing; // the writer thread was started; guarded by the one pump thread

			private Delivery(Socket to) {
				this.to = to;
			}

			void send(byte[] buffer, int n) throws IOException {
				long delay = TcpProxy.this.delayNanos;
				if (delay == 0 && this.pending.get() == 0) {
					OutputStream out = this.to.getOutputStream();
					out.write(buffer, 0, n);
					out.flush();
					return;
				}
				later(new Chunk(System.nanoTime() + delay, Arrays.copyOf(buffer, n)));
			}

			/** The reading side ended: close the other side once everything before has been delivered. */
			void end() {
				if (this.pending.get() == 0) {
					closeQuietly(this.to);
				}
				else {
					later(new Chunk(System.nanoTime() + TcpProxy.this.delayNanos, null));
				}
			}

			private void later(Chunk chunk) {
				this.pending.incrementAndGet();
				this.due.add(chunk);
				if (!this.writing) {
					this.writing = true;
					daemon(this::writeWhenDue, "tcp-proxy-delay");
				}
			}

			private void writeWhenDue() {
				try {
					OutputStream out = this.to.getOutputStream();
					while (true) {
						Chunk chunk = this.due.take();
						long wait = chunk.dueNanos() - System.nanoTime();
						if (wait > 0) {
							TimeUnit.NANOSECONDS.sleep(wait);
						}
						if (chunk.bytes() == null) {
							closeQuietly(this.to);
							return;
						}
						if (!TcpProxy.this.cut && !Link.this.blackholed) {
							out.write(chunk.bytes());
							out.flush();
						}
						this.pending.decrementAndGet();
					}
				}
				catch (IOException | InterruptedException ex) {
					closeQuietly(this.to); // the other side closed
				}
			}
		}
	}

	private record Chunk(long dueNanos, byte[] bytes) {
	}
}
