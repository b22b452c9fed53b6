package io.distlock.redis;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Talks to Redis through the Lettuce client of the application's {@link LettuceConnectionFactory},
 * on two connections of its own: one for commands, shared by every thread (Lettuce multiplexes it,
 * so concurrent callers pipeline), and one for the release channel. No Spring wrapper, exception
 * translation or script re-send on the hot path: one {@code EVALSHA} per call.
 *
 * <p>Both connections reconnect by themselves (Lettuce's auto-reconnect), and the subscription is
 * renewed after a reconnect. Commands issued while disconnected are buffered in order, so a clean-up
 * sent after a timed-out acquire always runs after it.
 */
final class LettuceGateway implements RedisGateway {

	private final LettuceConnectionFactory factory;

	private final Object monitor = new Object();

	private volatile RedisScriptingAsyncCommands<String, String> commands;

	private StatefulConnection<String, String> connection;

	private StatefulRedisPubSubConnection<String, String> pubSub;

	private volatile boolean closed;

	LettuceGateway(LettuceConnectionFactory factory) {
		this.factory = factory;
	}

	@Override
	public long eval(LuaScript script, String[] keys, String[] args, Duration timeout) {
		RedisScriptingAsyncCommands<String, String> redis = commands();
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
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : new RedisException(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new RedisCommandTimeoutException("Redis did not answer within " + timeout.toMillis() + "ms");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisException("interrupted while waiting for Redis", ex);
		}
	}

	@Override
	public void evalAndForget(LuaScript script, String[] keys, String[] args) {
		RedisScriptingAsyncCommands<String, String> redis = this.commands;
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
	public void subscribe(String channel, ReleaseListener listener, Duration timeout) {
		StatefulRedisPubSubConnection<String, String> subscription;
		synchronized (this.monitor) {
			checkOpen();
			if (this.pubSub == null) {
				AbstractRedisClient client = this.factory.getRequiredNativeClient();
				StatefulRedisPubSubConnection<String, String> c = (client instanceof RedisClusterClient cluster)
						? cluster.connectPubSub(StringCodec.UTF8) : ((RedisClient) client).connectPubSub(StringCodec.UTF8);
				c.addListener(new RedisPubSubAdapter<>() {

					@Override
					public void message(String ch, String lockKey) {
						listener.released(lockKey);
					}

					@Override
					public void subscribed(String ch, long count) {
						// also after every reconnect: Lettuce re-subscribes by itself
						listener.subscribed();
					}
				});
				this.pubSub = c;
			}
			subscription = this.pubSub;
		}
		try {
			// SUBSCRIBE is idempotent: a retry after a timed-out attempt is harmless
			subscription.async().subscribe(channel).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (Exception ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			throw new RedisException("could not subscribe to " + channel + " within " + timeout.toMillis() + "ms", ex);
		}
	}

	private RedisScriptingAsyncCommands<String, String> commands() {
		RedisScriptingAsyncCommands<String, String> redis = this.commands;
		if (redis != null) {
			return redis;
		}
		synchronized (this.monitor) {
			checkOpen();
			if (this.commands == null) {
				AbstractRedisClient client = this.factory.getRequiredNativeClient();
				if (client instanceof RedisClusterClient cluster) {
					StatefulRedisClusterConnection<String, String> c = cluster.connect(StringCodec.UTF8);
					this.connection = c;
					this.commands = c.async();
				}
				else {
					io.lettuce.core.api.StatefulRedisConnection<String, String> c = ((RedisClient) client).connect(StringCodec.UTF8);
					this.connection = c;
					this.commands = c.async();
				}
			}
			return this.commands;
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
			}
		}
	}
}
