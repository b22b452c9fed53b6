package io.distlock.redis;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.distlock.core.Durations;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.OwnedLease;

import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Locks in Redis (standalone, Sentinel or Cluster), on the application's {@link RedisConnectionFactory}.
 *
 * <ul>
 * <li><b>Acquire</b>: one script, one round trip: takes the lock only if absent, with the lease as its
 * time to live, and returns a new fencing token, max(last token + 1, server time in µs), which keeps
 * rising across a Redis restart that lost all data (as long as the server clock does not go back).</li>
 * <li><b>Wait</b>: no polling. A waiter marks the lock as awaited (in the same script), and the release script then
 * publishes the lock's key on one channel; one subscription per provider wakes the right waiter. If no
 * message comes, the waiter retries when the lock's time to live (returned by the failed attempt) ends.
 * Threads of one JVM queue in the core before they get here, so one of them at a time talks to Redis.</li>
 * <li><b>Release</b>: owner-checked compare-and-delete; idempotent; never deletes a newer owner's lock.</li>
 * <li><b>Renew</b>: owner-checked {@code PEXPIRE}; {@code false} when the lock expired or has another owner.</li>
 * <li>Expiry is judged by Redis' clock only. Not re-entrant by itself: re-entry is the core's job.</li>
 * </ul>
 *
 * <p>A Lettuce factory is used natively (two connections of the provider's own, no per-call
 * overhead); any other factory (Jedis) through Spring Data Redis' connection API. Close the provider to
 * close its connections; the factory itself stays open.
 *
 * <p>Caveat: Redis replication is asynchronous. If the primary fails over before the lock reached the
 * replica, a second holder can take it on the new primary: fence writes with the token.
 */
public class RedisLockProvider implements LockProvider, AutoCloseable {

	/** Default channel on which releases of awaited locks are announced. */
	public static final String DEFAULT_CHANNEL = "distributed-lock:released";

	/** Default longest time one Redis command may take before the call fails. */
	public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(3);

	/** Default time the fencing-token counter of a lock is kept after its last acquisition. */
	public static final Duration DEFAULT_TOKEN_COUNTER_TTL = Duration.ofDays(7);

	private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	/** When releases are not delivered (subscription down), a waiter looks again at least this often. */
	private static final long POLL_WITHOUT_SUBSCRIPTION_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final RedisGateway redis;

	private final ReleaseNotifications notifications;

	private final String channel;

	private final Duration commandTimeout;

	private final long tokenCounterTtlMillis;

	private final String ownerPrefix;

	private final AtomicLong ownerSequence = new AtomicLong();

	/** Creates a provider with the default channel, command timeout and token counter time to live. */
	public RedisLockProvider(RedisConnectionFactory connectionFactory) {
		this(connectionFactory, DEFAULT_CHANNEL, DEFAULT_COMMAND_TIMEOUT, DEFAULT_TOKEN_COUNTER_TTL);
	}

	/**
	 * Creates a provider.
	 * @param connectionFactory the application's Redis connections
	 * @param channel the pub/sub channel on which releases are announced; instances that share locks
	 * must use the same one
	 * @param commandTimeout how long one Redis command may take before the call fails
	 * @param tokenCounterTtl how long a lock's token counter is kept after its last acquisition; after
	 * that, tokens continue from the server clock
	 */
	public RedisLockProvider(RedisConnectionFactory connectionFactory, String channel, Duration commandTimeout,
			Duration tokenCounterTtl) {
		this(RedisGateway.of(Objects.requireNonNull(connectionFactory, "connectionFactory")), channel, commandTimeout, tokenCounterTtl);
	}

	RedisLockProvider(RedisGateway redis, String channel, Duration commandTimeout, Duration tokenCounterTtl) {
		this.redis = redis;
		this.channel = requireText(channel, "channel");
		this.commandTimeout = requirePositive(commandTimeout, "commandTimeout");
		this.tokenCounterTtlMillis = requirePositive(tokenCounterTtl, "tokenCounterTtl").toMillis();
		this.notifications = new ReleaseNotifications(redis, this.channel);
		byte[] id = new byte[8];
		new SecureRandom().nextBytes(id);
		this.ownerPrefix = HexFormat.of().formatHex(id) + ":";
	}

	@Override
	public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
		RedisLockKeys keys = RedisLockKeys.of(request);
		String owner = this.ownerPrefix + this.ownerSequence.incrementAndGet();
		long leaseMillis = Math.max(1, request.leaseTime().toMillis());
		String[] redisKeys = { keys.lockKey(), keys.tokenKey() };
		String[] args = { owner, Long.toString(leaseMillis), Long.toString(Math.max(this.tokenCounterTtlMillis, leaseMillis)), "0" };
		long deadline = Durations.deadlineAfter(request.waitTime());
		ReleaseNotifications.Waiter waiter = null;
		try {
			while (true) {
				boolean willWait = Durations.remainingNanos(deadline) > 0;
				args[3] = willWait ? "1" : "0";
				if (waiter != null) {
					waiter.clear();
				}
				long sentAt = System.nanoTime();
				long result = acquireOnce(redisKeys, args, request);
				if (result > 0) {
					return Optional.of(new RedisLease(keys.lockKey(), owner, result, sentAt));
				}
				long remaining = Durations.remainingNanos(deadline);
				if (remaining <= 0) {
					return Optional.empty();
				}
				if (waiter == null) {
					// registered before the next attempt: a release after that attempt wakes us
					waiter = this.notifications.register(keys.lockKey(), Duration.ofNanos(Math.min(remaining, this.commandTimeout.toNanos())));
					continue;
				}
				long fallback = Math.max(MIN_WAIT_NANOS, TimeUnit.MILLISECONDS.toNanos(-result));
				if (!this.notifications.isSubscribed()) {
					fallback = Math.min(fallback, POLL_WITHOUT_SUBSCRIPTION_NANOS);
				}
				waiter.await(Math.min(remaining, fallback));
			}
		}
		finally {
			if (waiter != null) {
				waiter.close();
			}
		}
	}

	private long acquireOnce(String[] keys, String[] args, LockRequest request) throws InterruptedException {
		try {
			return this.redis.eval(RedisLockScripts.ACQUIRE, keys, args, this.commandTimeout);
		}
		catch (RuntimeException ex) {
			// the script may still run (Redis paused, reply lost): delete what it may have set, in order
			// behind it on the same connection; else the lease frees the lock
			this.redis.evalAndForget(RedisLockScripts.RELEASE, new String[] { keys[0] }, new String[] { args[0], this.channel });
			if (Thread.interrupted()) {
				InterruptedException interrupted = new InterruptedException("interrupted while acquiring lock " + request.describe());
				interrupted.initCause(ex);
				throw interrupted;
			}
			throw new IllegalStateException("Redis failed while acquiring lock " + request.describe() + ": " + ex.getMessage(), ex);
		}
	}

	@Override
	public String backendName() {
		return "redis";
	}

	/** Closes the provider's own connections (not the connection factory). */
	@Override
	public void close() {
		this.redis.close();
	}

	private static String requireText(String value, String name) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(name + " must not be empty");
		}
		return value;
	}

	private static Duration requirePositive(Duration value, String name) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive: " + value);
		}
		return value;
	}

	/** One acquisition; owned by its unique owner string, not by a thread. */
	private final class RedisLease extends OwnedLease {

		private final String[] keys;

		private final String owner;

		RedisLease(String lockKey, String owner, long token, long acquiredAt) {
			super(token, acquiredAt);
			this.keys = new String[] { lockKey };
			this.owner = owner;
		}

		@Override
		protected boolean renewIfOwner(Duration leaseTime) {
			String[] args = { this.owner, Long.toString(Math.max(1, leaseTime.toMillis())) };
			return RedisLockProvider.this.redis.eval(RedisLockScripts.RENEW, this.keys, args, RedisLockProvider.this.commandTimeout) == 1;
		}

		@Override
		protected void releaseIfOwner() {
			String[] args = { this.owner, RedisLockProvider.this.channel };
			RedisLockProvider.this.redis.eval(RedisLockScripts.RELEASE, this.keys, args, RedisLockProvider.this.commandTimeout);
		}
	}
}
