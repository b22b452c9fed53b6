package io.distlock.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Deletes lock nodes in the background: at once (a release, an abandoned acquisition) or after a
 * minimum hold time. Nobody waits for a delete: the node is ephemeral, Curator retries a delete that
 * failed for connection trouble once the connection is back ({@code guaranteed}), and a node that still
 * cannot be deleted goes when its session ends.
 */
final class NodeDeletes {

	private static final Log logger = LogFactory.getLog(ZookeeperLockProvider.class);

	private final CuratorFramework client;

	private final ScheduledExecutorService timer;

	private final Map<String, ScheduledFuture<?>> delayed = new HashMap<>(); // guarded by itself

	NodeDeletes(CuratorFramework client, ScheduledExecutorService timer) {
		this.client = client;
		this.timer = timer;
	}

	/**
	 * Sends the delete of {@code path} now; {@code why} explains it in a log line if it fails.
	 * @return completes when the server has answered (whatever the answer) or the delete could not be sent
	 */
	CompletableFuture<Void> now(String path, String why) {
		CompletableFuture<Void> answered = new CompletableFuture<>();
		try {
			this.client.delete().guaranteed().inBackground((c, event) -> {
				KeeperException.Code result = CuratorCalls.resultOf(event);
				if (result != KeeperException.Code.OK && result != KeeperException.Code.NONODE) {
					logger.warn("Could not delete lock node " + path + " (" + why + "): " + result
							+ "; Curator retries once connected, and the node goes with the session in any case");
				}
				answered.complete(null);
			}).forPath(path);
		}
		catch (Exception ex) {
			logger.warn("Could not delete lock node " + path + " (" + why + "); it goes when the session ends: " + ex);
			answered.complete(null);
		}
		return answered;
	}

	/** Deletes {@code path} once {@code delay} has passed (a minimum hold time). */
	void after(String path, Duration delay, String why) {
		synchronized (this.delayed) {
			try {
				this.delayed.put(path, this.timer.schedule(() -> {
					synchronized (this.delayed) {
						this.delayed.remove(path);
					}
					now(path, why);
				}, delay.toNanos(), TimeUnit.NANOSECONDS));
				return;
			}
			catch (RejectedExecutionException ex) {
				// closed: nobody would delete it later
			}
		}
		now(path, why + ", cut short: the lock backend is closed");
	}

	/**
	 * Deletes the nodes still waiting for their hold to end, now: the client may outlive this backend,
	 * and nobody would delete them later.
	 */
	void flush() {
		List<String> early = new ArrayList<>();
		synchronized (this.delayed) {
			this.delayed.forEach((path, task) -> {
				if (task.cancel(false)) {
					early.add(path);
				}
			});
			this.delayed.clear();
		}
		if (!early.isEmpty()) {
			logger.info("Releasing " + early.size() + " ZooKeeper lock(s) before their minimum hold time ends: the lock backend is closing");
			early.forEach((path) -> now(path, "minimum hold cut short by shutdown"));
		}
	}
}
