package io.distlock.redis;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.distlock.core.Durations;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.RenewalResult;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Locks in Redis (standalone, Sentinel or Cluster; Redis {@value RedisServerInfo#MINIMUM_VERSION} or
 * newer), on the application's {@link RedisConnectionFactory}.
 *
 * <ul>
 * <li><b>Acquire</b>: one script, one round trip: takes the lock only if absent, with the lease as its
 * time to live, and returns a new fencing token, max(last token + 1, server time in µs), which keeps
 * rising across a Redis restart that lost all data (as long as the server clock does not go back).
 * A replayed acquire (Lettuce re-sends commands in flight when a connection drops) that finds its own
 * owner returns its token.</li>
 * <li><b>Wait</b>: a waiter marks the lock as awaited (in the same script), and the release script then
 * publishes the lock's key on one channel; one subscription per provider wakes the right waiter. No
 * waiter depends on that message alone: it looks again at least every second while the subscription
 * is up, every 100 ms while it is not (see {@link ReleaseNotifications}). Threads of one JVM queue in
 * the core before they get here, so one of them at a time talks to Redis.</li>
 * <li><b>Fair</b> ({@link LockRequest#fair()}): waiters queue in Redis, in the lock's hash slot, and the
 * lock goes to the first live one; a waiter that stops asking (crashed, paused) drops out after a few
 * seconds. Separate scripts: fairness costs non-fair locks nothing. A non-fair caller of the same lock
 * ignores the queue.</li>
 * <li><b>Release</b>: owner-checked compare-and-delete; idempotent; never deletes a newer owner's lock.
 * With a minimum hold ({@link LockLease#releaseAfter(Duration)}) the lock stays taken, by the server's
 * clock, and no renewal can extend it.</li>
 * <li><b>Renew</b>: owner-checked {@code PEXPIRE}, in batches: one script call per 500 leases (per hash
 * slot on a Cluster), all pipelined on one connection.</li>
 * <li><b>Loss</b>: see {@link RedisLease}: declared before the server can hand the lock to anyone else,
 * and a renewal delayed in the network cannot extend it afterwards (on Lettuce).</li>
 * <li>Expiry is judged by Redis' clock only. Not re-entrant by itself: re-entry is the core's job.</li>
 * </ul>
 *
 * <p>A Lettuce factory is used natively (two connections of the provider's own, no per-call
 * overhead); any other factory (Jedis) through Spring Data Redis' connection API. Close the provider to
 * close its connections and its timer thread; the factory itself stays open.
 *
 * <p>Caveat: Redis replication is asynchronous. If the primary fails over before the lock reached the
 * replica, a second holder can take it on the new primary: fence writes with the token.
 */
public class RedisLockProvider implements LockProvider, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisLockProvider.class);

	/** Default channel on which releases of awaited locks are announced. */
	public static final String DEFAULT_CHANNEL = "distributed-lock:released";

	/** Default longest time one Redis command may take before the call fails. */
	public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(3);

	/** Default time the fencing-token counter of a lock is kept after its last acquisition. */
	public static final Duration DEFAULT_TOKEN_COUNTER_TTL = Duration.ofHours(1);

	private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	/** How many leases one renewal script call renews at most. */
	private static final int RENEW_BATCH = 500;

	private static final AtomicInteger TIMER_THREADS = new AtomicInteger();

	/** How soon a waiter looks again after Redis Cluster answered TRYAGAIN (its slot is being moved). */
	private static final long TRY_AGAIN_MILLIS = 50;

	private final RedisGateway redis;

	private final ReleaseNotifications notifications;

	private final LeaseWatch watch;

	private final String channel;

	private final Duration commandTimeout;

	private final long tokenCounterTtlMillis;

	private final long fairWaiterTtlMillis;

	private final String ownerPrefix;

	private final AtomicLong ownerSequence = new AtomicLong();

	private final Object timerLock = new Object();

	private @Nullable ScheduledExecutorService timer;

	private java.util.concurrent.@Nullable ExecutorService cleanUps;

	private final Object checkLock = new Object();

	private volatile boolean serverChecked;

	private long nextServerCheckNanos = System.nanoTime();

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
	 * @throws IllegalStateException if the factory's setup is one this backend does not support
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
		// a live fair waiter asks at least every second (plus a slow command): longer than that, it is gone
		this.fairWaiterTtlMillis = Math.max(5000, commandTimeout.toMillis() + 2 * ReleaseNotifications.POLL_SUBSCRIBED_MILLIS);
		this.notifications = new ReleaseNotifications(redis, this.channel, this.commandTimeout, this::timer);
		this.watch = new LeaseWatch(this::timer);
		byte[] id = new byte[8];
		new SecureRandom().nextBytes(id);
		this.ownerPrefix = HexFormat.of().formatHex(id) + ":";
	}

	/**
	 * Checks the server once: fails if it is older than Redis {@value RedisServerInfo#MINIMUM_VERSION} or
	 * the connection factory cannot be used, and logs a WARN if it may evict keys (a
	 * {@code maxmemory-policy} other than {@code noeviction}). If Redis cannot be reached now, the check
	 * runs again before the first acquisition. Called by the auto-configuration at startup.
	 * @throws IllegalStateException if this server or setup cannot serve locks
	 */
	public void verifyServer() {
		synchronized (this.checkLock) {
			if (!checkServer()) {
				logger.warn("Redis is not reachable now; its version and eviction policy are checked before the first lock is taken");
			}
		}
	}

	/**
	 * Before the first acquisition, unless done at startup: the same check, without the WARN when Redis
	 * cannot be reached (the acquisition fails by itself then), tried again at most every few seconds.
	 */
	private void verifyServerOnce() {
		if (this.serverChecked) {
			return;
		}
		synchronized (this.checkLock) {
			if (!this.serverChecked && System.nanoTime() - this.nextServerCheckNanos >= 0 && !checkServer()) {
				this.nextServerCheckNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			}
		}
	}

	/** Returns {@code false} if Redis cannot be reached now; throws if it cannot serve locks. */
	private boolean checkServer() {
		RedisServerInfo info;
		try {
			info = RedisServerInfo.of(this.redis.info(this.commandTimeout));
		}
		catch (IllegalStateException ex) {
			throw ex; // not a connection problem: a setup this backend cannot use
		}
		catch (RuntimeException ex) {
			return false;
		}
		info.checkSupported();
		if (info.mayEvict()) {
			logger.warn("Redis runs with maxmemory-policy " + info.maxmemoryPolicy() + ": when it runs out of memory it may evict "
					+ "a held lock, which then goes to the next caller while its holder still runs. Use maxmemory-policy noeviction "
					+ "for the Redis that holds locks.");
		}
		this.serverChecked = true;
		return true;
	}

	@Override
	public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
		verifyServerOnce();
		RedisLockKeys keys = RedisLockKeys.of(request);
		String owner = this.ownerPrefix + this.ownerSequence.incrementAndGet();
		long leaseMillis = Math.max(1, request.leaseTime().toMillis());
		String counterTtl = Long.toString(Math.max(this.tokenCounterTtlMillis, leaseMillis));
		LuaScript script = request.fair() ? RedisLockScripts.FAIR_ACQUIRE : RedisLockScripts.ACQUIRE;
		String[] redisKeys = request.fair() ? new String[] { keys.lockKey(), keys.tokenKey(), keys.queueKey(), keys.waitersKey() }
				: new String[] { keys.lockKey(), keys.tokenKey() };
		String[] args = request.fair() ? new String[] { owner, Long.toString(leaseMillis), counterTtl, "0", Long.toString(this.fairWaiterTtlMillis) }
				: new String[] { owner, Long.toString(leaseMillis), counterTtl, "0" };
		long deadline = Durations.deadlineAfter(request.waitTime());
		ReleaseNotifications.Waiter waiter = null;
		boolean acquired = false;
		// a fair attempt may put this owner in the queue, and one that failed may have taken the lock
		boolean needsCleanUp = false;
		try {
			while (true) {
				args[3] = (Durations.remainingNanos(deadline) > 0) ? "1" : "0";
				if (waiter != null) {
					waiter.clear();
				}
				long sentAt = System.nanoTime();
				boolean queuedBefore = needsCleanUp;
				needsCleanUp = request.fair();
				long result = acquireOnce(script, redisKeys, args, keys, owner, request);
				needsCleanUp = request.fair() && (queuedBefore || args[3].equals("1"));
				if (result > 0) {
					acquired = true;
					return Optional.of(new RedisLease(this, keys, owner, result, sentAt, request.leaseTime()));
				}
				long remaining = Durations.remainingNanos(deadline);
				if (remaining <= 0) {
					return Optional.empty();
				}
				if (waiter == null) {
					// registered before the next attempt: a release after that attempt wakes us
					waiter = this.notifications.register(keys.lockKey());
					continue;
				}
				long hint = Math.max(MIN_WAIT_NANOS, TimeUnit.MILLISECONDS.toNanos(-result));
				waiter.await(Math.min(remaining, Math.min(hint, this.notifications.pollNanos())));
			}
		}
		finally {
			if (waiter != null) {
				waiter.close();
			}
			if (needsCleanUp && !acquired) {
				// leave the queue at once, so the next waiter need not wait for this entry to expire
				sendAndForget(RedisLockScripts.FAIR_CANCEL, new String[] { keys.lockKey(), keys.queueKey(), keys.waitersKey() },
						new String[] { owner, this.channel });
			}
		}
	}

	private long acquireOnce(LuaScript script, String[] redisKeys, String[] args, RedisLockKeys keys, String owner, LockRequest request)
			throws InterruptedException {
		try {
			return this.redis.eval(script, redisKeys, args, this.commandTimeout);
		}
		catch (RuntimeException ex) {
			if (args[3].equals("1") && isTryAgain(ex)) {
				// Redis Cluster is moving the lock's slot and has only some of its keys here: the script did
				// not run, and the move ends soon. A waiter looks again, as when the lock is taken
				return -TRY_AGAIN_MILLIS;
			}
			// the script may still run (Redis paused, reply lost): undo what it may have set, in order
			// behind it on the same connection; else the lease frees the lock (a fair caller leaves the
			// queue in the caller's clean-up)
			if (!request.fair()) {
				sendAndForget(RedisLockScripts.RELEASE, new String[] { keys.lockKey() }, new String[] { owner, this.channel });
			}
			if (Thread.interrupted()) {
				InterruptedException interrupted = new InterruptedException("interrupted while acquiring lock " + request.describe());
				interrupted.initCause(ex);
				throw interrupted;
			}
			throw new IllegalStateException("Redis failed while acquiring lock " + request.describe() + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Renews the leases in one pipelined round: one script call per {@value #RENEW_BATCH} leases, per
	 * hash slot on a Cluster. Leases of other providers are renewed one by one.
	 */
	@Override
	public List<RenewalResult> renewAll(List<? extends LockLease> leases, Duration leaseTime) {
		@Nullable RenewalResult[] results = new RenewalResult[leases.size()];
		try {
			Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
			for (int i = 0; i < leases.size(); i++) {
				LockLease lease = leases.get(i);
				if (!(lease instanceof RedisLease redisLease) || redisLease.provider() != this) {
					results[i] = renewOne(lease, leaseTime);
				}
				else if (!redisLease.isLive()) {
					results[i] = RenewalResult.REFUSED;
				}
				else {
					bySlot.computeIfAbsent(this.redis.slot(redisLease.lockKey()), (slot) -> new ArrayList<>()).add(i);
				}
			}
			List<List<Integer>> batches = new ArrayList<>();
			List<RedisGateway.Call> calls = new ArrayList<>();
			String leaseMillis = Long.toString(Math.max(1, leaseTime.toMillis()));
			for (List<Integer> slot : bySlot.values()) {
				for (int from = 0; from < slot.size(); from += RENEW_BATCH) {
					List<Integer> batch = slot.subList(from, Math.min(slot.size(), from + RENEW_BATCH));
					String[] keys = new String[batch.size()];
					String[] args = new String[batch.size() + 1];
					args[0] = leaseMillis;
					for (int j = 0; j < batch.size(); j++) {
						RedisLease lease = (RedisLease) leases.get(batch.get(j));
						keys[j] = lease.lockKey();
						args[j + 1] = lease.owner();
						this.watch.renewalSent(lease);
					}
					batches.add(batch);
					calls.add(new RedisGateway.Call(keys, args));
				}
			}
			long sentAt = System.nanoTime();
			List<Object> answers = calls.isEmpty() ? List.of() : this.redis.evalAll(RedisLockScripts.RENEW, calls, this.commandTimeout);
			for (int b = 0; b < batches.size(); b++) {
				List<Integer> batch = batches.get(b);
				Object answer = answers.get(b);
				for (int j = 0; j < batch.size(); j++) {
					RedisLease lease = (RedisLease) leases.get(batch.get(j));
					results[batch.get(j)] = settle(lease, answer, j, sentAt, leaseTime);
				}
			}
		}
		catch (RuntimeException ex) {
			for (int i = 0; i < results.length; i++) {
				if (results[i] == null) {
					results[i] = RenewalResult.failed(ex);
				}
			}
		}
		return List.of(results);
	}

	private RenewalResult settle(RedisLease lease, Object answer, int index, long sentAt, Duration leaseTime) {
		if (answer instanceof Exception ex) {
			return RenewalResult.failed(ex); // stays watched: its loss deadline runs on
		}
		this.watch.settled(lease);
		Object value = ((List<?>) answer).get(index);
		if (value instanceof Number n && n.longValue() == 1) {
			lease.renewed(sentAt, leaseTime);
			return RenewalResult.RENEWED;
		}
		lease.refused();
		return RenewalResult.REFUSED;
	}

	private static RenewalResult renewOne(LockLease lease, Duration leaseTime) {
		try {
			return lease.renew(leaseTime) ? RenewalResult.RENEWED : RenewalResult.REFUSED;
		}
		catch (Exception ex) {
			return RenewalResult.failed(ex);
		}
	}

	void release(RedisLockKeys keys, String owner) {
		this.redis.eval(RedisLockScripts.RELEASE, new String[] { keys.lockKey() }, new String[] { owner, this.channel }, this.commandTimeout);
	}

	void releaseAfter(RedisLockKeys keys, String owner, Duration holdFor) {
		String holdMillis = Long.toString(Math.max(1, holdFor.toMillis()));
		this.redis.eval(RedisLockScripts.RELEASE_AFTER, new String[] { keys.lockKey() }, new String[] { owner, holdMillis }, this.commandTimeout);
	}

	/** Sends an owner-checked release of a lease declared lost, behind whatever is still queued for it. */
	void releaseBehindPendingCalls(RedisLease lease) {
		sendAndForget(RedisLockScripts.RELEASE, new String[] { lease.lockKey() }, new String[] { lease.owner(), this.channel });
	}

	/**
	 * Sends a clean-up without waiting for it: queued on the command connection where calls are
	 * ordered (Lettuce), else run on the provider's clean-up thread, so that neither the caller nor the
	 * timer waits out a dead server. Dropped when a thousand are already waiting: leases free the locks.
	 */
	private void sendAndForget(LuaScript script, String[] keys, String[] args) {
		if (this.redis.isOrdered()) {
			this.redis.evalAndForget(script, keys, args, this.commandTimeout);
			return;
		}
		try {
			cleanUps().execute(() -> this.redis.evalAndForget(script, keys, args, this.commandTimeout));
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			// closed or full: the lease frees the lock
		}
	}

	private java.util.concurrent.ExecutorService cleanUps() {
		synchronized (this.timerLock) {
			if (this.cleanUps == null) {
				this.cleanUps = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
						new java.util.concurrent.ArrayBlockingQueue<>(1000), (runnable) -> {
							Thread thread = new Thread(runnable, "distributed-lock-redis-cleanup-" + TIMER_THREADS.incrementAndGet());
							thread.setDaemon(true);
							return thread;
						}, new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
				((java.util.concurrent.ThreadPoolExecutor) this.cleanUps).setKeepAliveTime(30, TimeUnit.SECONDS);
				((java.util.concurrent.ThreadPoolExecutor) this.cleanUps).allowCoreThreadTimeOut(true);
			}
			return this.cleanUps;
		}
	}

	private static boolean isTryAgain(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t.getMessage() != null && t.getMessage().startsWith("TRYAGAIN")) {
				return true;
			}
		}
		return false;
	}

	@Override
	public String backendName() {
		return "redis";
	}

	@Override
	public boolean supportsFairLocks() {
		return true;
	}

	/**
	 * Pings Redis and reports its version, mode, eviction policy and the state of the release
	 * subscription ({@code idle} until someone waited, {@code subscribed}, {@code down} while it is
	 * being made anew, {@code no-permission} when the Redis user may not use the channel).
	 * @throws IllegalStateException if Redis does not answer, or is too old to serve locks
	 */
	@Override
	public Map<String, Object> checkHealth() {
		this.redis.ping(this.commandTimeout);
		RedisServerInfo info = RedisServerInfo.of(this.redis.info(this.commandTimeout));
		info.checkSupported();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("version", info.version());
		details.put("mode", info.mode());
		details.put("maxmemoryPolicy", info.maxmemoryPolicy());
		details.put("releaseSubscription", this.notifications.state().label);
		return details;
	}

	private ScheduledExecutorService timer() {
		synchronized (this.timerLock) {
			if (this.timer == null) {
				// two threads: a (re)subscription may block one for up to the command timeout
				ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, (runnable) -> {
					Thread thread = new Thread(runnable, "distributed-lock-redis-" + TIMER_THREADS.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
				executor.setRemoveOnCancelPolicy(true);
				this.timer = executor;
			}
			return this.timer;
		}
	}

	/** Closes the provider's own connections and timer (not the connection factory). */
	@Override
	public void close() {
		this.notifications.close();
		synchronized (this.timerLock) {
			if (this.timer != null) {
				this.timer.shutdownNow();
			}
			if (this.cleanUps != null) {
				this.cleanUps.shutdown(); // what is queued still goes out, unless the gateway is closed first
			}
		}
		this.redis.close();
	}

	private static String requireText(@Nullable String value, String name) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(name + " must not be empty");
		}
		return value;
	}

	private static Duration requirePositive(@Nullable Duration value, String name) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive: " + value);
		}
		return value;
	}
}
