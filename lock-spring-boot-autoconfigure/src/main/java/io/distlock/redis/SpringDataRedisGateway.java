package io.distlock.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.Subscription;

/**
 * Talks to Redis through any {@link RedisConnectionFactory} (Jedis, or Lettuce set up in a way the
 * native gateway does not cover): one pooled connection per call, and a daemon thread that keeps one
 * subscription to the release channel alive, re-subscribing after a failure. Command timeouts are the
 * factory's own ({@code spring.data.redis.timeout}).
 *
 * <p>Spring's subscription API does not say when a subscription is active (Jedis blocks inside
 * {@code subscribe}), so the gateway publishes an empty probe message until its own subscriber
 * receives one; only then are waiters told that releases are delivered. Lock keys are never empty.
 */
final class SpringDataRedisGateway implements RedisGateway {

	private static final Duration RESUBSCRIBE_DELAY = Duration.ofSeconds(1);

	private final RedisConnectionFactory factory;

	private final Object monitor = new Object();

	private Thread subscriber;

	private volatile RedisConnection subscription;

	private volatile boolean closed;

	private volatile CountDownLatch confirmed = new CountDownLatch(1);

	SpringDataRedisGateway(RedisConnectionFactory factory) {
		this.factory = factory;
	}

	@Override
	public long eval(LuaScript script, String[] keys, String[] args, Duration timeout) {
		byte[][] keysAndArgs = new byte[keys.length + args.length][];
		for (int i = 0; i < keys.length; i++) {
			keysAndArgs[i] = keys[i].getBytes(StandardCharsets.UTF_8);
		}
		for (int i = 0; i < args.length; i++) {
			keysAndArgs[keys.length + i] = args[i].getBytes(StandardCharsets.UTF_8);
		}
		try (RedisConnection connection = this.factory.getConnection()) {
			Long result;
			try {
				result = connection.scriptingCommands().evalSha(script.sha(), ReturnType.INTEGER, keys.length, keysAndArgs);
			}
			catch (RuntimeException ex) {
				if (!isNoScript(ex)) {
					throw ex;
				}
				result = connection.scriptingCommands().eval(script.text().getBytes(StandardCharsets.UTF_8), ReturnType.INTEGER, keys.length, keysAndArgs);
			}
			return result;
		}
	}

	@Override
	public void evalAndForget(LuaScript script, String[] keys, String[] args) {
		try {
			eval(script, keys, args, Duration.ZERO);
		}
		catch (RuntimeException ex) {
			// best effort: the lease expires anyway
		}
	}

	@Override
	public void subscribe(String channel, ReleaseListener listener, Duration timeout) {
		synchronized (this.monitor) {
			if (this.closed) {
				throw new IllegalStateException("the Redis lock provider is closed");
			}
			if (this.subscriber == null) {
				this.subscriber = new Thread(() -> keepSubscribed(channel.getBytes(StandardCharsets.UTF_8), listener),
						"distributed-lock-redis-subscriber");
				this.subscriber.setDaemon(true);
				this.subscriber.start();
			}
		}
		try {
			if (!this.confirmed.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
				throw new IllegalStateException("no subscription to " + channel + " within " + timeout.toMillis() + "ms");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while subscribing to " + channel, ex);
		}
	}

	private void keepSubscribed(byte[] channel, ReleaseListener listener) {
		while (!this.closed) {
			try (RedisConnection connection = this.factory.getConnection()) {
				this.subscription = connection;
				CountDownLatch probeSeen = new CountDownLatch(1);
				this.confirmed = (this.confirmed.getCount() == 0) ? new CountDownLatch(1) : this.confirmed;
				Thread prober = new Thread(() -> probe(channel, probeSeen, listener), "distributed-lock-redis-subscription-probe");
				prober.setDaemon(true);
				prober.start();
				// Jedis blocks in subscribe() until the subscription ends; Lettuce returns at once
				connection.subscribe((message, pattern) -> {
					if (message.getBody().length == 0) {
						probeSeen.countDown();
					}
					else {
						listener.released(new String(message.getBody(), StandardCharsets.UTF_8));
					}
				}, channel);
				while (!this.closed && connection.isSubscribed()) {
					Thread.sleep(RESUBSCRIBE_DELAY.toMillis());
				}
				prober.interrupt();
			}
			catch (InterruptedException ex) {
				return;
			}
			catch (RuntimeException ex) {
				// Redis is away: waiters fall back to the lock's time to live until we are back
			}
			finally {
				this.subscription = null;
			}
			try {
				Thread.sleep(RESUBSCRIBE_DELAY.toMillis());
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	/** Publishes empty probes until the subscriber sees one, then reports the subscription as active. */
	private void probe(byte[] channel, CountDownLatch probeSeen, ReleaseListener listener) {
		try {
			do {
				try (RedisConnection connection = this.factory.getConnection()) {
					connection.publish(channel, new byte[0]);
				}
				catch (RuntimeException ex) {
					// not up yet: try again
				}
			}
			while (!this.closed && !probeSeen.await(100, TimeUnit.MILLISECONDS));
			if (!this.closed) {
				listener.subscribed();
				this.confirmed.countDown();
			}
		}
		catch (InterruptedException ex) {
			// the subscription ended before it was confirmed
		}
	}

	private static boolean isNoScript(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void close() {
		synchronized (this.monitor) {
			this.closed = true;
			RedisConnection connection = this.subscription;
			if (connection != null) {
				try {
					Subscription s = connection.getSubscription();
					if (s != null) {
						s.unsubscribe();
					}
				}
				catch (RuntimeException ex) {
					// closing anyway
				}
			}
			if (this.subscriber != null) {
				this.subscriber.interrupt();
			}
		}
	}
}
