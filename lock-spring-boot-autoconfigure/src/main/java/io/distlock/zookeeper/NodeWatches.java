package io.distlock.zookeeper;

import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.distlock.core.Durations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.jspecify.annotations.Nullable;

/**
 * The watches of one client on lock nodes: a waiter's on the node ahead of its own, a holder's on its own
 * node (to learn when an operator deletes it). A watch is taken off the server again when the last one
 * interested in it leaves before it fired.
 *
 * <p>A ZooKeeper watch stays on the server until its node changes or the session ends. A waiter that
 * times out, is interrupted or fails would leave its watch behind on a holder's node for as long as
 * that holder holds, and on the client one watcher object per wait: thousands of timed-out waits on
 * long-held locks pile up on both sides. So all waiters of this client that watch the same node share
 * one watch, and the last one to leave removes it from the server ({@code removeWatches}, ZooKeeper 3.5+;
 * locally too if the connection is down). Registration and removal are sent under one lock, so a
 * removal never overtakes a newer registration of the same path: one session's requests are applied in
 * the order they were sent. There is one instance per client, shared by every provider on it, because
 * a removal takes all of the client's watches on that path.
 */
final class NodeWatches {

	private static final Log logger = LogFactory.getLog(ZookeeperLockProvider.class);

	/** Weak keys: an instance holds no reference to its client, so a closed client can go. */
	private static final Map<CuratorFramework, NodeWatches> PER_CLIENT = new WeakHashMap<>(); // guarded by itself

	private final Map<String, Watch> watches = new HashMap<>(); // guarded by itself

	private NodeWatches() {
	}

	/** Returns the watches of {@code client}; pass the same client to {@link #watch} and {@link #leave}. */
	static NodeWatches of(CuratorFramework client) {
		synchronized (PER_CLIENT) {
			return PER_CLIENT.computeIfAbsent(client, (c) -> new NodeWatches());
		}
	}

	/** Watches {@code path} (shares the watch already set by another user of this client); call {@link #leave} when done. */
	Watch watch(CuratorFramework client, String path) {
		synchronized (this.watches) {
			Watch watch = this.watches.get(path);
			if (watch == null) {
				Watch fresh = new Watch(client, path);
				this.watches.put(path, fresh);
				watch = fresh;
			}
			watch.waiters++;
			return watch;
		}
	}

	/** Ends one user's interest; the last one out takes an unfired watch off the server. */
	void leave(CuratorFramework client, Watch watch) {
		leaveWatch(client, watch);
	}

	/**
	 * Ends one user's interest in a node that this client is deleting: the delete fires the watch, so
	 * nothing needs to be taken off the server.
	 */
	void leaveForDelete(Watch watch) {
		leaveWatch(null, watch);
	}

	/** {@code client} is {@code null} when the node is being deleted: its watch fires and goes with it. */
	private void leaveWatch(@Nullable CuratorFramework client, Watch watch) {
		synchronized (this.watches) {
			if (--watch.waiters > 0) {
				return;
			}
			this.watches.remove(watch.path, watch);
			if (client == null || watch.changed.isDone()) {
				return; // fired, or about to: the server drops it then
			}
			try {
				client.watchers().removeAll().ofType(Watcher.WatcherType.Data).locally().inBackground((c, event) -> {
					if (CuratorCalls.resultOf(event) != org.apache.zookeeper.KeeperException.Code.OK
							&& CuratorCalls.resultOf(event) != org.apache.zookeeper.KeeperException.Code.NOWATCHER && logger.isDebugEnabled()) {
						logger.debug("Could not remove the watch on " + watch.path + ": " + CuratorCalls.resultOf(event));
					}
				}).forPath(watch.path);
			}
			catch (Exception ex) {
				logger.debug("Could not remove the watch on " + watch.path + ": " + ex);
			}
		}
	}

	/** One watched node: completes when it is deleted or changed, or the session ends. */
	final class Watch implements Watcher {

		private final String path;

		private final CompletableFuture<WatchedEvent> changed = new CompletableFuture<>();

		private final CompletableFuture<CuratorEvent> armed;

		private int waiters; // guarded by watches

		/** Sets the watch: reads the node with this as its watcher. */
		private Watch(CuratorFramework client, String path) {
			this.path = path;
			this.armed = CuratorCalls.send((callback) -> client.getData().usingWatcher(this).inBackground(callback).forPath(path));
		}

		/** The answer to the read that set the watch: {@code NONODE} means the node is gone already (no watch was set). */
		CompletableFuture<CuratorEvent> armed() {
			return this.armed;
		}

		/** Completes with the event that fired the watch: a node event, or the end of the session or client. */
		CompletableFuture<WatchedEvent> changed() {
			return this.changed;
		}

		/**
		 * Waits until the node changes or {@code deadlineNanos} passes.
		 * @return {@code true} if it changed (or the session ended), {@code false} on timeout
		 */
		boolean await(long deadlineNanos) throws InterruptedException {
			try {
				this.changed.get(Durations.remainingNanos(deadlineNanos), TimeUnit.NANOSECONDS);
				return true;
			}
			catch (TimeoutException ex) {
				return false;
			}
			catch (ExecutionException ex) {
				return true; // never completed exceptionally
			}
		}

		@Override
		public void process(WatchedEvent event) {
			// connection state changes reach every watcher too: a disconnection keeps the watch (the client sets
			// it again on reconnecting), only an ended session or a closed client ends it
			if (event.getType() != Event.EventType.None || event.getState() == Event.KeeperState.Expired
					|| event.getState() == Event.KeeperState.Closed) {
				synchronized (NodeWatches.this.watches) {
					NodeWatches.this.watches.remove(this.path, this);
				}
				this.changed.complete(event);
			}
		}
	}
}
