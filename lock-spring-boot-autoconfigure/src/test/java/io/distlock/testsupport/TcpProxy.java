package io.distlock.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy for fault tests: clients connect to {@link #port()} and are forwarded to a server.
 * {@link #cut()} black-holes every connection, as a network partition does: sockets stay open, bytes
 * in either direction are dropped, and new connections are accepted but never forwarded.
 */
public final class TcpProxy implements AutoCloseable {

	private final ServerSocket listener;

	private final String host;

	private final int targetPort;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile boolean cut;

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

	private void acceptLoop() {
		while (!this.closed) {
			try {
				Socket client = this.listener.accept();
				this.sockets.add(client);
				if (this.cut) {
					daemon(() -> pump(client, null), "tcp-proxy-blackhole");
					continue;
				}
				Socket server = new Socket();
				server.connect(new InetSocketAddress(this.host, this.targetPort), 5000);
				this.sockets.add(server);
				daemon(() -> pump(client, server), "tcp-proxy-up");
				daemon(() -> pump(server, client), "tcp-proxy-down");
			}
			catch (IOException ex) {
				// listener closed, or the target refused: the client sees its connection fail
			}
		}
	}

	private void pump(Socket from, Socket to) {
		byte[] buffer = new byte[8192];
		try (InputStream in = from.getInputStream()) {
			OutputStream out = (to != null) ? to.getOutputStream() : null;
			int n;
			while ((n = in.read(buffer)) >= 0) {
				if (!this.cut && out != null) {
					out.write(buffer, 0, n);
					out.flush();
				}
			}
		}
		catch (IOException ex) {
			// one side closed
		}
		finally {
			closeQuietly(to);
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
}
