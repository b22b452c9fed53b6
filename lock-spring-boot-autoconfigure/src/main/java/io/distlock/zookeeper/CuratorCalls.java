package io.distlock.zookeeper;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.distlock.core.Durations;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;

/**
 * Curator's background operations as futures, and waits for their answers that end at a deadline.
 *
 * <p>The backend never calls Curator in the foreground: a foreground call retries by Curator's retry
 * policy and waits for a connection up to its connection timeout per attempt (a minute and more with
 * common settings), whatever the caller's wait time. A background call is sent at once when the client
 * is connected, so calls made one after the other reach the server in that order (ZooKeeper answers one
 * session's requests in order), and its answer is awaited only as long as the caller may wait.
 */
final class CuratorCalls {

	private CuratorCalls() {
	}

	/** Sends one Curator operation in the background with the given callback. */
	@FunctionalInterface
	interface Operation {

		void send(BackgroundCallback callback) throws Exception;

	}

	/** Sends {@code operation}; the future completes with Curator's event, whatever its result code. */
	static CompletableFuture<CuratorEvent> send(Operation operation) {
		CompletableFuture<CuratorEvent> answer = new CompletableFuture<>();
		try {
			operation.send((client, event) -> answer.complete(event));
		}
		catch (Exception ex) {
			answer.completeExceptionally(ex);
		}
		return answer;
	}

	/**
	 * Waits for an answer until {@code deadlineNanos}.
	 * @param what what was asked, for the message: {@code "the create of the lock node of 'x'"}
	 * @throws IllegalStateException if no answer came in time, or the operation could not be sent
	 */
	static CuratorEvent await(CompletableFuture<CuratorEvent> answer, long deadlineNanos, Supplier<String> what)
			throws InterruptedException {
		try {
			return answer.get(Durations.remainingNanos(deadlineNanos), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("ZooKeeper did not answer " + what.get() + " in time (connection lost?)");
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Could not send " + what.get() + " to ZooKeeper: " + ex.getCause(), ex.getCause());
		}
	}

	/** Returns the result code of an answer. */
	static KeeperException.Code resultOf(CuratorEvent event) {
		return KeeperException.Code.get(event.getResultCode());
	}

	/** Throws the answer's error, if any. */
	static CuratorEvent ok(CuratorEvent event) throws KeeperException {
		if (resultOf(event) != KeeperException.Code.OK) {
			throw KeeperException.create(resultOf(event), event.getPath());
		}
		return event;
	}
}
