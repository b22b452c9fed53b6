package io.distlock.interceptor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.distlock.core.LockHandle;
import io.distlock.core.LockInfo;
import io.distlock.core.LockTemplate;

/**
 * Another caller of the same locks, on its own thread (so it never re-enters the test thread's locks):
 * holds a lock while a test runs, or probes whether a lock could be taken right now.
 */
final class OtherCaller {

	/** Other callers run here, never in the common pool, which has one worker on a 2-core machine. */
	private static final ExecutorService THREADS = Executors.newCachedThreadPool((r) -> {
		Thread t = new Thread(r, "other-caller");
		t.setDaemon(true);
		return t;
	});

	private OtherCaller() {
	}

	/** Takes the lock on another thread (at once, or fails) and returns its handle; close it to release. */
	static LockHandle hold(LockTemplate template, String name, String key) throws Exception {
		return CompletableFuture.supplyAsync(() -> template.tryAcquire(name, key, Duration.ZERO).orElseThrow(), THREADS)
			.get(10, TimeUnit.SECONDS);
	}

	/** Whether another caller could take the lock right now (it releases it at once if so). */
	static boolean canTake(LockTemplate template, String name, String key) {
		return CompletableFuture.supplyAsync(() -> {
			var handle = template.tryAcquire(name, key, Duration.ZERO);
			handle.ifPresent(LockHandle::close);
			return handle.isPresent();
		}, THREADS).join();
	}

	/** Whether this template holds the lock now (on any thread), without touching it. */
	static boolean isHeld(LockTemplate template, String name, String key) {
		return token(template, name, key) > 0;
	}

	/** The fencing token of the lock this template holds now, or -1. */
	static long token(LockTemplate template, String name, String key) {
		return template.heldLocks().stream().filter((l) -> l.name().equals(name) && l.key().equals(key))
			.mapToLong(LockInfo::fencingToken).findFirst().orElse(-1);
	}

	/** Runs {@code task} on another caller's thread. */
	static <T> CompletableFuture<T> run(java.util.function.Supplier<T> task) {
		return CompletableFuture.supplyAsync(task, THREADS);
	}

	/** Waits up to 10 s for {@code condition}. */
	static void await(String what, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Timed out waiting until " + what);
			}
			Thread.sleep(5);
		}
	}
}
