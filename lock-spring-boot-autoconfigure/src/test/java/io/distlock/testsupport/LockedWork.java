package io.distlock.testsupport;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import io.distlock.annotation.DistributedLocked;
import io.distlock.core.LockContext;
import io.distlock.core.LockHandle;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Locked work of every result kind, used through the annotation by the contract suite on each backend.
 * Each method returns or records the fencing token it ran under.
 */
public class LockedWork {

	/** A Mono whose work takes {@code work}; emits its fencing token (read from the Reactor context). */
	@DistributedLocked(name = "contract-work", key = "#key", waitTime = "60s")
	public Mono<Long> mono(String key, Duration work) {
		return Mono.deferContextual((context) -> Mono.delay(work).thenReturn(context.get(LockHandle.class).fencingToken()));
	}

	/** A Flux that emits its token every {@code every}, forever, until cancelled. */
	@DistributedLocked(name = "contract-work", key = "#key", waitTime = "60s")
	public Flux<Long> ticks(String key, Duration every) {
		return Flux.deferContextual((context) -> Flux.interval(every).map((tick) -> context.get(LockHandle.class).fencingToken()));
	}

	/** Holds the lock until {@code gate} completes; completes with the token. */
	@DistributedLocked(name = "contract-work", key = "#key", waitTime = "60s")
	public CompletableFuture<Long> future(String key, CompletableFuture<Void> gate) {
		long token = LockContext.current().orElseThrow().fencingToken();
		return gate.thenApply((done) -> token);
	}

	/** Works for a moment on {@code executor} after acquiring, and records the hold (inside it) in {@code history}. */
	@DistributedLocked(name = "contract-work", key = "#key", waitTime = "60s")
	public CompletableFuture<Long> recordedFuture(String key, HistoryChecker history, String holder, java.util.concurrent.Executor executor) {
		LockHandle handle = LockContext.current().orElseThrow();
		long acquiredAt = System.nanoTime();
		return CompletableFuture.supplyAsync(() -> {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			history.record(holder, handle.fencingToken(), acquiredAt, System.nanoTime(), !handle.isHeld());
			return handle.fencingToken();
		}, executor);
	}

	/** The racy read-sleep-write a lock must protect, recorded in {@code history}. */
	@DistributedLocked(name = "contract-work", key = "#key", waitTime = "60s")
	public void increment(String key, AtomicLong counter, HistoryChecker history, String holder) throws InterruptedException {
		LockHandle handle = LockContext.current().orElseThrow();
		long acquiredAt = System.nanoTime();
		long value = counter.get();
		Thread.sleep(0, 200_000);
		counter.set(value + 1);
		history.record(holder, handle.fencingToken(), acquiredAt, System.nanoTime(), !handle.isHeld());
	}
}
