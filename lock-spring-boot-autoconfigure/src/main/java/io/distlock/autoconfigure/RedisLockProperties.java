package io.distlock.autoconfigure;

import java.time.Duration;

/**
 * Redis backend settings, under {@code distributed-lock.redis}. The connection itself comes from
 * Spring Boot's {@code spring.data.redis.*}. Defaults equal {@code RedisLockProvider}'s (not referenced here,
 * so that this class loads without Spring Data Redis).
 */
public class RedisLockProperties {

	/**
	 * Pub/sub channel on which the release of an awaited lock is announced to waiting instances. All
	 * instances that share locks must use the same channel.
	 */
	private String channel = "distributed-lock:released";

	/**
	 * Longest time one Redis command of the lock backend may take. An acquire that times out fails
	 * (the method does not run) and leaves no lock behind; a renewal that times out is retried.
	 */
	private Duration commandTimeout = Duration.ofSeconds(3);

	/**
	 * How long a lock's fencing-token counter key is kept after its last acquisition (at least the
	 * lease). Afterwards tokens continue from the Redis server's clock in microseconds, so they still
	 * increase unless that clock has stepped back by more than this since. Each distinct lock key
	 * leaves one counter key for this long: about 120-140 bytes of Redis memory for a key of 25 characters.
	 */
	private Duration tokenCounterTtl = Duration.ofHours(1);

	public String getChannel() {
		return this.channel;
	}

	public void setChannel(String channel) {
		this.channel = channel;
	}

	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public Duration getTokenCounterTtl() {
		return this.tokenCounterTtl;
	}

	public void setTokenCounterTtl(Duration tokenCounterTtl) {
		this.tokenCounterTtl = tokenCounterTtl;
	}
}
