package io.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Talks to Redis through the Lettuce client of the application's {@link LettuceConnectionFactory},
 * on two connections of its own: one for commands, shared by every thread (Lettuce multiplexes it,
 * so concurrent callers pipeline), and one for the release channel. No Spring wrapper, exception
 * translation or script re-send on the hot path: one {@code EVALSHA} per call.
 *
 * <p>Both connections reconnect by themselves (Lettuce's auto-reconnect), and the subscription is
 * renewed after a reconnect. Commands issued while disconnected are buffered in order, and commands
 * in flight when a connection dropped are sent again: so every call runs after all calls made before
 * it ({@link #isOrdered()}), which is what lets a clean-up or a release sent after a timed-out call
 * undo it, and why every script is idempotent.
 */
final class LettuceGateway implements RedisGateway {

	private static final Log logger = LogFactory.getLog(LettuceGateway.class);

	static final long MASTERS_RESUBSCRIBE_SECONDS = 10;

	private final LettuceConnectionFactory factory;

	private final Object monitor = new Object();

	private volatile @Nullable RedisClusterAsyncCommands<String, String> commands;

	private @Nullable StatefulConnection<String, String> connection;

	private volatile @Nullable StatefulRedisPubSubConnection<String, String> pubSub;

	/** The release channel, once subscribed. */
	private volatile @Nullable String channel;

	/** When the subscriptions on a Cluster's masters were last made (see {@link #pingSubscription()}). */
	private volatile long mastersSubscribedAtNanos;

	private volatile boolean closed;

	LettuceGateway(LettuceConnectionFactory factory) {
		this.factory = factory;
	}

	@Override
	public long eval(LuaScript script, String[] keys, String[] args, Duration timeout) {
		RedisClusterAsyncCommands<String, String> redis = commands();
		try {
			try {
				return redis.<Long>evalsha(script.sha(), ScriptOutputType.INTEGER, keys, args).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			}
			catch (ExecutionException ex) {
				if (!(ex.getCause() instanceof RedisNoScriptException)) {
					throw ex;
				}
				// first use on this server, or it restarted: EVAL loads the script for the next EVALSHA
				return redis.<Long>eval(script.text(), ScriptOutputType.INTEGER, keys, args).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			}
		}
		catch (ExecutionException | TimeoutException | InterruptedException ex) {
			throw unwrap(ex, timeout);
		}
	}

	@Override
	public List<Object> evalAll(LuaScript script, List<Call> calls, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		List<Object> results = new ArrayList<>(calls.size());
		RedisClusterAsyncCommands<String, String> redis;
		try {
			redis = commands();
		}
		catch (RuntimeException ex) {
			calls.forEach((call) -> results.add(ex));
			return results;
		}
		List<RedisFuture<List<Long>>> sent = new ArrayList<>(calls.size());
		for (Call call : calls) {
			sent.add(redis.evalsha(script.sha(), ScriptOutputType.MULTI, call.keys(), call.args()));
		}
		for (int i = 0; i < calls.size(); i++) {
			Call call = calls.get(i);
			try {
				results.add(await(sent.get(i), deadline));
			}
			catch (ExecutionException ex) {
				if (!(ex.getCause() instanceof RedisNoScriptException)) {
					results.add(unwrap(ex, timeout));
					continue;
				}
				try {
					results.add(await(redis.eval(script.text(), ScriptOutputType.MULTI, call.keys(), call.args()), deadline));
				}
				catch (ExecutionException | TimeoutException | InterruptedException retry) {
					results.add(unwrap(retry, timeout));
				}
			}
			catch (TimeoutException | InterruptedException ex) {
				results.add(unwrap(ex, timeout));
			}
		}
		return results;
	}

	private static <T> T await(Future<T> future, long deadline) throws ExecutionException, TimeoutException, InterruptedException {
		return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
	}

	private static RuntimeException unwrap(Exception ex, Duration timeout) {
		if (ex instanceof ExecutionException) {
			return (ex.getCause() instanceof RuntimeException runtime) ? runtime : new RedisException(ex.getCause());
		}
		if (ex instanceof TimeoutException) {
			return new RedisCommandTimeoutException("Redis did not answer within " + timeout.toMillis() + "ms");
		}
		Thread.currentThread().interrupt();
		return new RedisException("interrupted while waiting for Redis", ex);
	}

	@Override
	public void evalAndForget(LuaScript script, String[] keys, String[] args, Duration timeout) {
		RedisClusterAsyncCommands<String, String> redis = this.commands;
		if (redis == null) {
			return; // never connected: nothing was sent that needs undoing
		}
		try {
			redis.eval(script.text(), ScriptOutputType.INTEGER, keys, args);
		}
		catch (RuntimeException ex) {
			// best effort: the lease expires anyway
		}
	}

	@Override
	public boolean isOrdered() {
		return true;
	}

	@Override
	public boolean isCluster() {
		return this.factory.isClusterAware();
	}

	@Override
	public int slot(String key) {
		return isCluster() ? SlotHash.getSlot(key) : 0;
	}

	@Override
	public void subscribe(String channel, ReleaseListener listener, Duration timeout) {
		StatefulRedisPubSubConnection<String, String> subscription;
		synchronized (this.monitor) {
			checkOpen();
			if (this.pubSub == null) {
				this.pubSub = connectPubSub(listener);
			}
			subscription = this.pubSub;
		}
		try {
			// SUBSCRIBE is idempotent: a retry after a timed-out attempt is harmless
			subscription.async().subscribe(channel).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			this.channel = channel;
			if (subscription instanceof StatefulRedisClusterPubSubConnection<String, String> cluster) {
				this.mastersSubscribedAtNanos = System.nanoTime();
				subscribeOnEveryMaster(cluster, channel);
			}
		}
		catch (ExecutionException | TimeoutException | InterruptedException ex) {
			throw unwrap(ex, timeout);
		}
	}

	/**
	 * A Cluster delivers a message published on one node to subscribers on the others through the cluster
	 * bus, which adds milliseconds per message (Redis issue #11869) and made fair locks, whose every
	 * hand-over waits for a message, 3-10 times slower. Subscribed on every master, the provider hears each
	 * release from the node that ran it. Best effort, not awaited: the subscription made above already
	 * receives every message, by the bus if need be. Repeated every {@value #MASTERS_RESUBSCRIBE_SECONDS}
	 * seconds, for masters that joined since (SUBSCRIBE is idempotent); Lettuce sees them after its
	 * topology refresh.
	 */
	private static void subscribeOnEveryMaster(StatefulRedisClusterPubSubConnection<String, String> cluster, String channel) {
		try {
			cluster.async().masters().commands().subscribe(channel);
		}
		catch (RuntimeException ex) {
			logger.debug("Could not subscribe to " + channel + " on every master; releases come through the cluster bus", ex);
		}
	}

	private StatefulRedisPubSubConnection<String, String> connectPubSub(ReleaseListener listener) {
		AbstractRedisClient client = this.factory.getRequiredNativeClient();
		StatefulRedisPubSubConnection<String, String> c;
		if (client instanceof RedisClusterClient cluster) {
			StatefulRedisClusterPubSubConnection<String, String> clusterConnection = cluster.connectPubSub(StringCodec.UTF8);
			clusterConnection.setNodeMessagePropagation(true);
			c = clusterConnection;
		}
		else {
			c = ((RedisClient) client).connectPubSub(StringCodec.UTF8);
		}
		c.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String ch, String message) {
				listener.released(message);
			}

			@Override
			public void subscribed(String ch, long count) {
				// also after every reconnect: Lettuce subscribes again by itself
				listener.subscribed();
			}
		});
		c.addListener(new RedisConnectionStateListener() {

			@Override
			public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
				listener.disconnected();
			}
		});
		return c;
	}

	@Override
	public CompletableFuture<Void> pingSubscription() {
		StatefulRedisPubSubConnection<String, String> subscription = this.pubSub;
		if (subscription == null) {
			return CompletableFuture.failedFuture(new RedisException("not subscribed"));
		}
		String subscribed = this.channel;
		if (subscription instanceof StatefulRedisClusterPubSubConnection<String, String> cluster && subscribed != null
				&& System.nanoTime() - this.mastersSubscribedAtNanos >= TimeUnit.SECONDS.toNanos(MASTERS_RESUBSCRIBE_SECONDS)) {
			this.mastersSubscribedAtNanos = System.nanoTime();
			subscribeOnEveryMaster(cluster, subscribed);
		}
		return subscription.async().ping().toCompletableFuture().thenApply((pong) -> null);
	}

	@Override
	public void dropSubscription() {
		StatefulRedisPubSubConnection<String, String> subscription;
		synchronized (this.monitor) {
			subscription = this.pubSub;
			this.pubSub = null;
		}
		if (subscription != null) {
			subscription.closeAsync();
		}
	}

	@Override
	public Map<String, String> info(Duration timeout) {
		try {
			return RedisServerInfo.parse(commands().info().get(timeout.toNanos(), TimeUnit.NANOSECONDS));
		}
		catch (ExecutionException | TimeoutException | InterruptedException ex) {
			throw unwrap(ex, timeout);
		}
	}

	@Override
	public void ping(Duration timeout) {
		try {
			commands().ping().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException | TimeoutException | InterruptedException ex) {
			throw unwrap(ex, timeout);
		}
	}

	private RedisClusterAsyncCommands<String, String> commands() {
		RedisClusterAsyncCommands<String, String> redis = this.commands;
		if (redis != null) {
			return redis;
		}
		synchronized (this.monitor) {
			checkOpen();
			if (this.commands == null) {
				AbstractRedisClient client = this.factory.getRequiredNativeClient();
				if (client instanceof RedisClusterClient cluster) {
					var c = cluster.connect(StringCodec.UTF8);
					this.connection = c;
					this.commands = c.async();
				}
				else {
					var c = connectStandalone((RedisClient) client);
					this.connection = c;
					this.commands = c.async();
				}
			}
			return this.commands;
		}
	}

	private static io.lettuce.core.api.StatefulRedisConnection<String, String> connectStandalone(RedisClient client) {
		try {
			return client.connect(StringCodec.UTF8);
		}
		catch (RedisConnectionException ex) {
			throw ex;
		}
		catch (IllegalStateException | IllegalArgumentException ex) {
			// before any I/O: the client has no single server to connect to (a static master/replica setup)
			throw new IllegalStateException("The Redis lock backend cannot use this LettuceConnectionFactory: it opens connections of its "
					+ "own to one server (standalone or the Sentinel master) or to a Cluster, and this factory's client has no such "
					+ "address; static master/replica setups are not supported (" + ex.getMessage() + ")", ex);
		}
	}

	private void checkOpen() {
		if (this.closed) {
			throw new IllegalStateException("the Redis lock provider is closed");
		}
	}

	@Override
	public void close() {
		synchronized (this.monitor) {
			this.closed = true;
			this.commands = null;
			if (this.connection != null) {
				this.connection.closeAsync();
			}
			if (this.pubSub != null) {
				this.pubSub.closeAsync();
				this.pubSub = null;
			}
		}
	}
}
