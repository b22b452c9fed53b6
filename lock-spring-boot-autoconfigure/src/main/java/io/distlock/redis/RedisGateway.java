package io.distlock.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What the lock provider needs from Redis: run scripts, and one subscription to the release channel.
 * Connections are opened on first use (Redis need not be up when the application starts) and belong
 * to the gateway, which closes them; the application's connection factory is never closed.
 */
interface RedisGateway extends AutoCloseable {

	/**
	 * Runs {@code script} (by digest, by text on {@code NOSCRIPT}) and returns its integer result.
	 * @throws RuntimeException if Redis failed or did not answer within {@code timeout}; the command
	 * may still run later
	 */
	long eval(LuaScript script, String[] keys, String[] args, Duration timeout);

	/**
	 * Runs {@code script} once per call of {@code calls}, all sent before any answer is awaited
	 * (pipelined), each returning a list of integers.
	 * @return per call, in order: its {@code List<Long>}, or the {@link RuntimeException} it failed with
	 * (also when no answer came within {@code timeout}); never throws
	 */
	List<Object> evalAll(LuaScript script, List<Call> calls, Duration timeout);

	/**
	 * Sends {@code script} by text; failures are ignored. On a gateway that {@link #isOrdered() is
	 * ordered} it runs after every call sent before it and the caller does not wait; otherwise the
	 * caller waits at most {@code timeout}.
	 */
	void evalAndForget(LuaScript script, String[] keys, String[] args, Duration timeout);

	/**
	 * Whether every call goes out on one connection, in the order made, so that a call runs after all
	 * calls made before it, even those delayed in the network or re-sent after a reconnect.
	 */
	boolean isOrdered();

	/** Whether the server is a Redis Cluster: the keys of one call must then share one hash slot. */
	boolean isCluster();

	/** Returns the Cluster hash slot of {@code key}; 0 when not {@link #isCluster() on a Cluster}. */
	int slot(String key);

	/**
	 * Starts a subscription to {@code channel} if none is running, waiting at most {@code timeout} to
	 * learn whether it was made: {@link ReleaseListener#subscribed()} follows once it is confirmed.
	 * @throws RuntimeException if it could not be made (for example {@code NOPERM}: no channel rights)
	 */
	void subscribe(String channel, ReleaseListener listener, Duration timeout);

	/**
	 * Checks, in the background, that the subscription connection answers; the result completes
	 * normally when it did, exceptionally when it failed. Only called after {@link #subscribe}.
	 */
	java.util.concurrent.CompletableFuture<Void> pingSubscription();

	/** Closes the subscription connection (found dead); the next {@link #subscribe} opens a new one. */
	void dropSubscription();

	/** Returns the server's {@code INFO} (default sections) as field name to value. */
	Map<String, String> info(Duration timeout);

	/** Sends {@code PING}; throws if no answer came within {@code timeout}. */
	void ping(Duration timeout);

	@Override
	void close();

	/** One call of a script: its keys and arguments. */
	record Call(String[] keys, String[] args) {
	}

	/** Receives what arrives on the release channel and what happens to the subscription. */
	interface ReleaseListener {

		/**
		 * A message arrived on the release channel: a lock was released. Called on a client I/O thread:
		 * must not block.
		 */
		void released(String message);

		/** The subscription was (re)established; releases may have been missed while it was down. */
		void subscribed();

		/** The subscription connection dropped; releases are not delivered until it is back. */
		void disconnected();
	}

	/**
	 * Returns the gateway for the factory's client: Lettuce or Jedis, the two clients of Spring Data Redis.
	 * @throws IllegalStateException for any other factory, or a setup the gateway does not support
	 */
	static RedisGateway of(RedisConnectionFactory factory) {
		if (factory instanceof LettuceConnectionFactory lettuce) {
			return new LettuceGateway(lettuce);
		}
		if (JEDIS_PRESENT && factory instanceof JedisConnectionFactory jedis) {
			return new JedisGateway(jedis);
		}
		throw new IllegalStateException("The Redis lock backend needs a LettuceConnectionFactory or a JedisConnectionFactory "
				+ "(Spring Data Redis' two clients); got a " + factory.getClass().getName());
	}

	/** Whether Jedis is on the class path (the Jedis gateway is only loaded then). */
	boolean JEDIS_PRESENT = org.springframework.util.ClassUtils.isPresent("redis.clients.jedis.Jedis", RedisGateway.class.getClassLoader());
}
