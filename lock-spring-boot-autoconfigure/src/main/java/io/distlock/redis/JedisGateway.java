package io.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.Pool;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

/**
 * Talks to Redis through the Jedis client of the application's {@link JedisConnectionFactory},
 * borrowing one pooled connection per call from the factory's pool (a Jedis 7 {@code RedisClient}, or
 * the factory's own pool of {@link Jedis}).
 *
 * <ul>
 * <li>Each command is bounded by the provider's command timeout, set on the borrowed socket for that
 * call and put back afterwards: the factory's read timeout does not apply to it.</li>
 * <li>The subscription runs on one thread that blocks in Jedis, on a connection it took from the pool
 * and never hands back (it is discarded when the subscription ends). Jedis confirms the subscription
 * ({@code onSubscribe}) and answers a {@code PING} on it ({@code onPong}), which is the periodic check;
 * a dead one is torn down by closing its socket. One subscription thread at a time, ending with its
 * subscription: a user without channel rights costs one short-lived thread per attempt, no more.</li>
 * <li>Calls are not ordered: each goes out on whichever pooled connection it gets.</li>
 * </ul>
 * Redis Cluster through Jedis is not supported (startup error): use Lettuce, Spring Boot's default.
 */
final class JedisGateway implements RedisGateway {

	private static final java.lang.reflect.@Nullable Method REDIS_CLIENT_POOL = redisClientPool();


	private final JedisConnectionFactory factory;

	private final Object monitor = new Object();

	private final AtomicReference<@Nullable CompletableFuture<Void>> pendingPing = new AtomicReference<>();

	private @Nullable Thread subscriber;

	private volatile @Nullable Connection subscription;

	private volatile @Nullable JedisPubSub pubSub;

	private CompletableFuture<Void> confirmed = new CompletableFuture<>();

	private CompletableFuture<Void> ended = CompletableFuture.completedFuture(null);

	private volatile boolean closed;

	private final java.util.concurrent.ThreadPoolExecutor discards = new java.util.concurrent.ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
			new java.util.concurrent.ArrayBlockingQueue<>(100), (runnable) -> {
				Thread thread = new Thread(runnable, "distributed-lock-redis-jedis-discard");
				thread.setDaemon(true);
				return thread;
			});

	JedisGateway(JedisConnectionFactory factory) {
		if (factory.isRedisClusterAware()) {
			throw new IllegalStateException("The Redis lock backend does not support Redis Cluster through Jedis: use Lettuce, "
					+ "Spring Boot's default client (spring.data.redis.client-type=lettuce), for Redis Cluster");
		}
		this.factory = factory;
		this.discards.allowCoreThreadTimeOut(true);
	}

	/** Runs {@code command} on a pooled connection whose socket read timeout is {@code timeout} for this call. */
	private <T extends @Nullable Object> T call(Duration timeout, Function<Jedis, T> command) {
		int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
		RedisConnection spring = this.factory.getConnection();
		Connection socket = null;
		Runnable giveBack = spring::close;
		try {
			Object client = spring.getNativeConnection();
			if (client instanceof Jedis jedis) {
				socket = jedis.getConnection();
				return withTimeout(socket, millis, () -> command.apply(jedis));
			}
			Pool<Connection> pool = poolOf(client);
			if (pool != null) {
				spring.close();
				Connection pooled = pool.getResource();
				socket = pooled;
				giveBack = pooled::close;
				return withTimeout(pooled, millis, () -> command.apply(new Jedis(pooled)));
			}
			throw new IllegalStateException("The Redis lock backend does not support this Jedis client (" + client.getClass().getName()
					+ "): it needs a pooled Jedis or Jedis' RedisClient");
		}
		finally {
			giveBack(socket, giveBack);
		}
	}

	/**
	 * Hands a connection back to its pool. A broken one (timed out) is handed back on another thread:
	 * the pool replaces it at once, and that new connection's handshake with a server that does not
	 * answer would otherwise keep the caller for the factory's own timeout.
	 */
	private void giveBack(@Nullable Connection socket, Runnable giveBack) {
		if (socket == null || !socket.isBroken()) {
			giveBack.run();
			return;
		}
		try {
			this.discards.execute(giveBack);
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			giveBack.run();
		}
	}

	private static <T extends @Nullable Object> T withTimeout(Connection connection, int millis,
			java.util.function.Supplier<T> call) {
		int before = connection.getSoTimeout();
		connection.setSoTimeout(millis);
		try {
			return call.get();
		}
		finally {
			if (!connection.isBroken()) {
				connection.setSoTimeout(before);
			}
		}
	}

	/**
	 * Borrows a connection for the subscription, which keeps it: its socket is the one to close when
	 * it dies, and closing the returned resource hands it back to its pool (broken, so destroyed).
	 */
	private Borrowed borrowForSubscription() {
		RedisConnection spring = this.factory.getConnection();
		Object client = spring.getNativeConnection();
		if (client instanceof Jedis jedis) {
			return new Borrowed(jedis.getConnection(), spring::close);
		}
		spring.close();
		Pool<Connection> pool = poolOf(client);
		if (pool != null) {
			Connection connection = pool.getResource();
			return new Borrowed(connection, connection::close);
		}
		throw new IllegalStateException("The Redis lock backend does not support this Jedis client (" + client.getClass().getName() + ")");
	}

	/**
	 * Returns the connection pool of a unified Jedis client: a {@code RedisClient} of the Jedis 7 releases that have it (what Spring
	 * Data Redis 4.1 hands out) or a {@link JedisPooled}; {@code null} for anything else.
	 * {@code RedisClient} is looked up by name: Jedis 7.0.0 (Spring Boot 4.0) has none, 7.4.1 (Spring Boot 4.1) has it.
	 */
	@SuppressWarnings("unchecked")
	private static @Nullable Pool<Connection> poolOf(Object client) {
		if (client instanceof JedisPooled pooled) {
			return pooled.getPool();
		}
		if (REDIS_CLIENT_POOL != null && REDIS_CLIENT_POOL.getDeclaringClass().isInstance(client)) {
			try {
				return (Pool<Connection>) REDIS_CLIENT_POOL.invoke(client);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException("Could not read the connection pool of " + client.getClass().getName(), ex);
			}
		}
		return null;
	}

	private static java.lang.reflect.@Nullable Method redisClientPool() {
		try {
			return Class.forName("redis.clients.jedis.RedisClient", false, JedisGateway.class.getClassLoader()).getMethod("getPool");
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			return null; // a Jedis without RedisClient (7.0.0)
		}
	}

	/** A pooled socket and how to give it back. */
	private record Borrowed(Connection socket, Runnable giveBack) {

		/** Never hands a (half-)subscribed connection back usable: it is marked broken first, so the pool destroys it. */
		void discard() {
			try {
				this.socket.setBroken();
				this.giveBack.run();
			}
			catch (RuntimeException ex) {
				// gone either way
			}
		}
	}

	@Override
	public long eval(LuaScript script, String[] keys, String[] args, Duration timeout) {
		return (Long) call(timeout, (jedis) -> evalOn(jedis, script, keys, args));
	}

	private static Object evalOn(Jedis jedis, LuaScript script, String[] keys, String[] args) {
		List<String> keyList = Arrays.asList(keys);
		List<String> argList = Arrays.asList(args);
		try {
			return jedis.evalsha(script.sha(), keyList, argList);
		}
		catch (JedisDataException ex) {
			if (ex.getMessage() == null || !ex.getMessage().startsWith("NOSCRIPT")) {
				throw ex;
			}
			// first use on this server, or it restarted: EVAL loads the script for the next EVALSHA
			return jedis.eval(script.text(), keyList, argList);
		}
	}

	@Override
	public List<Object> evalAll(LuaScript script, List<Call> calls, Duration timeout) {
		List<Object> results = new ArrayList<>(calls.size());
		try {
			call(timeout, (jedis) -> {
				for (Call c : calls) {
					try {
						results.add(evalOn(jedis, script, c.keys(), c.args()));
					}
					catch (RuntimeException ex) {
						results.add(ex);
					}
				}
				return null;
			});
		}
		catch (RuntimeException ex) {
			while (results.size() < calls.size()) {
				results.add(ex);
			}
		}
		return results;
	}

	@Override
	public void evalAndForget(LuaScript script, String[] keys, String[] args, Duration timeout) {
		try {
			call(timeout, (jedis) -> jedis.eval(script.text(), Arrays.asList(keys), Arrays.asList(args)));
		}
		catch (RuntimeException ex) {
			// best effort: the lease expires anyway
		}
	}

	@Override
	public boolean isOrdered() {
		return false;
	}

	@Override
	public boolean isCluster() {
		return false;
	}

	@Override
	public int slot(String key) {
		return 0;
	}

	@Override
	public void subscribe(String channel, ReleaseListener listener, Duration timeout) {
		CompletableFuture<Void> confirmation;
		CompletableFuture<Void> end;
		synchronized (this.monitor) {
			if (this.closed) {
				throw new IllegalStateException("the Redis lock provider is closed");
			}
			if (this.subscriber == null || !this.subscriber.isAlive()) {
				startSubscription(channel, listener);
			}
			confirmation = this.confirmed;
			end = this.ended;
		}
		try {
			CompletableFuture.anyOf(confirmation, end).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime
					: new IllegalStateException("could not subscribe to " + channel, ex.getCause());
		}
		catch (TimeoutException ex) {
			dropSubscription();
			throw new IllegalStateException("no subscription to " + channel + " within " + timeout.toMillis() + "ms");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while subscribing to " + channel, ex);
		}
		if (!confirmation.isDone()) {
			throw new IllegalStateException("the subscription to " + channel + " ended");
		}
	}

	private void startSubscription(String channel, ReleaseListener listener) {
		CompletableFuture<Void> confirmation = new CompletableFuture<>();
		CompletableFuture<Void> end = new CompletableFuture<>();
		JedisPubSub pubSub = new JedisPubSub() {

			@Override
			public void onMessage(String ch, String message) {
				listener.released(message);
			}

			@Override
			public void onSubscribe(String ch, int count) {
				confirmation.complete(null);
				listener.subscribed();
			}

			@Override
			public void onPong(String pattern) {
				CompletableFuture<Void> ping = JedisGateway.this.pendingPing.getAndSet(null);
				if (ping != null) {
					ping.complete(null);
				}
			}
		};
		this.confirmed = confirmation;
		this.ended = end;
		this.pubSub = pubSub;
		this.subscriber = new Thread(() -> {
			Borrowed borrowed = null;
			try {
				borrowed = borrowForSubscription();
				this.subscription = borrowed.socket();
				pubSub.proceed(borrowed.socket(), channel); // blocks until the subscription ends
				end.completeExceptionally(new IllegalStateException("the subscription to " + channel + " ended"));
			}
			catch (RuntimeException ex) {
				end.completeExceptionally(ex);
			}
			finally {
				this.subscription = null;
				if (borrowed != null) {
					borrowed.discard();
				}
				CompletableFuture<Void> ping = this.pendingPing.getAndSet(null);
				if (ping != null) {
					ping.completeExceptionally(new IllegalStateException("the subscription ended"));
				}
				listener.disconnected();
			}
		}, "distributed-lock-redis-subscriber");
		this.subscriber.setDaemon(true);
		this.subscriber.start();
	}

	@Override
	public CompletableFuture<Void> pingSubscription() {
		JedisPubSub current = this.pubSub;
		if (current == null || this.subscription == null) {
			return CompletableFuture.failedFuture(new IllegalStateException("not subscribed"));
		}
		CompletableFuture<Void> ping = new CompletableFuture<>();
		CompletableFuture<Void> previous = this.pendingPing.getAndSet(ping);
		if (previous != null) {
			previous.completeExceptionally(new IllegalStateException("superseded"));
		}
		try {
			current.ping();
		}
		catch (RuntimeException ex) {
			ping.completeExceptionally(ex);
		}
		return ping;
	}

	@Override
	public void dropSubscription() {
		Connection connection = this.subscription;
		if (connection != null) {
			// the subscriber thread's read fails, and it discards the connection and ends
			try {
				connection.setBroken();
				connection.disconnect();
			}
			catch (RuntimeException ex) {
				// gone either way
			}
		}
	}

	@Override
	public Map<String, String> info(Duration timeout) {
		return RedisServerInfo.parse(call(timeout, Jedis::info));
	}

	@Override
	public void ping(Duration timeout) {
		call(timeout, Jedis::ping);
	}

	@Override
	public void close() {
		Thread thread;
		synchronized (this.monitor) {
			this.closed = true;
			thread = this.subscriber;
		}
		dropSubscription();
		if (thread != null) {
			thread.interrupt();
		}
		this.discards.shutdown();
	}
}
