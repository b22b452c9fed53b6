package io.distlock.redis;

import java.time.Duration;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What the lock provider needs from Redis: run a script, and one subscription to the release channel.
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

	/** Sends {@code script} by text without waiting for the answer; failures are ignored. */
	void evalAndForget(LuaScript script, String[] keys, String[] args);

	/**
	 * Subscribes to {@code channel}, once; waits up to {@code timeout} for the first confirmation.
	 * @throws RuntimeException if the subscription could not be made
	 */
	void subscribe(String channel, ReleaseListener listener, Duration timeout);

	@Override
	void close();

	/** Receives what arrives on the release channel. */
	interface ReleaseListener {

		/** A lock was released; {@code lockKey} is its Redis key. Called on a client I/O thread: must not block. */
		void released(String lockKey);

		/** The subscription was (re)established; releases may have been missed while it was down. */
		void subscribed();
	}

	/** Returns the native Lettuce gateway for a Lettuce factory, else the generic Spring Data Redis one. */
	static RedisGateway of(RedisConnectionFactory factory) {
		return (factory instanceof LettuceConnectionFactory lettuce) ? new LettuceGateway(lettuce) : new SpringDataRedisGateway(factory);
	}
}
