package io.distlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.distlock.local.InMemoryLockProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The core's acquisition pipeline, re-entry, lost-lease signal, minimum hold, asynchronous acquisition
 * and shutdown, on the real in-memory backend. Two templates stand for two application instances.
 */
class LockTemplateTest {

	private final InMemoryLockProvider provider = new InMemoryLockProvider();

	private final LeaseRenewer renewer = new LeaseRenewer();

	private final List<LockTemplate> templates = new ArrayList<>();

	private final String name = "template-" + System.nanoTime();

	@AfterEach
	void close() {
		this.templates.forEach(LockTemplate::close);
		this.renewer.close();
	}

	private LockTemplate template(LockEventListener listener) {
		LockTemplate template = new LockTemplate(this.provider, this.renewer, Duration.ZERO, Duration.ofSeconds(30), "", listener);
		this.templates.add(template);
		return template;
	}

	private LockTemplate template() {
		return template(LockEventListener.NONE);
	}

	private static LockEventListener listener(LockEventListener.Acquisition acquisition) {
		return new LockEventListener() {
			@Override
			public Acquisition acquiring(LockRequest request, String backend) {
				return acquisition;
			}
		};
	}

	private boolean freeFor(LockTemplate other, String key) {
		Optional<LockHandle> handle = other.tryAcquire(this.name, key, Duration.ZERO);
		handle.ifPresent(LockHandle::close);
		return handle.isPresent();
	}

	@Test
	void aListenerThatThrowsNeitherFailsNorLeaksAnAcquisition() {
		LockEventListener throwing = listener(new LockEventListener.Acquisition() {
			@Override
			public LockEventListener.Holding acquired(long token) {
				throw new IllegalStateException("listener bug");
			}
		});
		LockTemplate template = template(throwing);
		LockTemplate other = template();
		LockHandle handle = template.tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		assertThat(handle.isHeld()).isTrue();
		assertThat(freeFor(other, "k")).isFalse();
		handle.close();
		assertThat(freeFor(other, "k")).as("released in the backend").isTrue();
	}

	@Test
	void aFailureAfterTheGrantLeavesNoLockAndNoReentryBehind() {
		LeaseRenewer closedRenewer = new LeaseRenewer();
		closedRenewer.close();
		LockTemplate template = new LockTemplate(this.provider, closedRenewer, Duration.ZERO, Duration.ofSeconds(30), "",
				LockEventListener.NONE);
		LockTemplate other = template();
		assertThatExceptionOfType(LockAcquisitionException.class).isThrownBy(() -> template.tryAcquire(this.name, "k", Duration.ZERO))
			.withMessageContaining("the backend failed after");
		assertThat(freeFor(other, "k")).as("the backend lock was released").isTrue();
		try (LockHandle held = other.tryAcquire(this.name, "k", Duration.ZERO).orElseThrow()) {
			// the thread that failed must not "re-enter" a lock it never got
			assertThat(template.tryAcquire(this.name, "k", Duration.ZERO)).isEmpty();
			assertThat(held.isHeld()).isTrue();
		}
	}

	@Test
	void anAsyncReentryNeverRemovesTheOuterCallsReentry() throws Exception {
		LockTemplate template = template();
		LockHandle outer = template.tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		// an async method re-enters, leaves the thread with its level, and completes later elsewhere
		LockHandle inner = template.tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		template.detachFromThread(inner);
		CompletableFuture.runAsync(inner::close).get(5, TimeUnit.SECONDS);
		// the outer call still holds the lock on this thread: its next call re-enters without waiting
		Optional<LockHandle> again = template.tryAcquire(this.name, "k", Duration.ZERO);
		assertThat(again).isPresent();
		assertThat(again.get().fencingToken()).isEqualTo(outer.fencingToken());
		again.get().close();
		outer.close();
		assertThat(freeFor(template(), "k")).isTrue();
	}

	@Test
	void aThreadNeverReentersALockOnlyAnAsyncCallStillHolds() throws Exception {
		LockTemplate template = template();
		LockHandle async = template.tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		template.detachFromThread(async); // the call returned a future; the lock stays until it completes
		assertThat(template.tryAcquire(this.name, "k", Duration.ZERO)).as("excluded like any other caller").isEmpty();
		async.close();
		assertThat(template.tryAcquire(this.name, "k", Duration.ZERO)).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void shutdownReleasesEveryLockAndReportsStillRunningOnesLost() throws Exception {
		LockTemplate template = template();
		LockTemplate other = template();
		LockHandle finished = template.tryAcquire(this.name, "finished", Duration.ZERO).orElseThrow();
		LockHandle running = template.tryAcquire(this.name, "running", Duration.ZERO).orElseThrow();
		AtomicInteger finishedLost = new AtomicInteger();
		CountDownLatch runningLost = new CountDownLatch(1);
		finished.onLost(finishedLost::incrementAndGet);
		running.onLost(runningLost::countDown);
		CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> template.shutdown(Duration.ofMillis(600)));
		Thread.sleep(200);
		finished.close(); // its work ends within the grace period
		shutdown.get(10, TimeUnit.SECONDS);
		assertThat(runningLost.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(running.isHeld()).isFalse();
		assertThat(finishedLost).hasValue(0);
		assertThat(freeFor(other, "running")).as("released, not left to expire by its lease").isTrue();
		assertThat(freeFor(other, "finished")).isTrue();
		assertThatExceptionOfType(LockAcquisitionException.class).isThrownBy(() -> template.tryAcquire(this.name, "x", Duration.ZERO));
	}

	@Test
	void closingATemplateLeavesTheSharedRenewerRunning() throws Exception {
		template().close();
		LockTemplate survivor = template();
		LockHandle handle = survivor.tryAcquire(this.name, "k", Duration.ZERO, Duration.ofMillis(600)).orElseThrow();
		Thread.sleep(1500);
		assertThat(handle.isHeld()).as("still renewed").isTrue();
		assertThat(freeFor(template(), "k")).isFalse();
		handle.close();
	}

	@Test
	void aThrowingReleasedListenerNeitherFailsCloseNorStopsAMultiKeyRelease() {
		LockEventListener throwing = listener(new LockEventListener.Acquisition() {
			@Override
			public LockEventListener.Holding acquired(long token) {
				return new LockEventListener.Holding() {
					@Override
					public void released() {
						throw new IllegalStateException("listener bug");
					}
				};
			}
		});
		LockTemplate template = template(throwing);
		List<LockHandle> handles = template.acquireAll(LockSpec.of(this.name), List.of("a", "b", "c"));
		for (LockHandle handle : handles) {
			handle.close(); // never throws
		}
		LockTemplate other = template();
		assertThat(List.of("a", "b", "c")).allMatch((key) -> freeFor(other, key));
	}

	@Test
	void onLostRunsOnceAtOnceIfAlreadyLostAndNeverAfterANormalClose() throws Exception {
		LockTemplate template = template();
		LockHandle lostOne = template.tryAcquire(LockSpec.of(this.name, "lost").leaseTime(Duration.ofMillis(600))).orElseThrow();
		LockHandle closedOne = template.tryAcquire(LockSpec.of(this.name, "closed").leaseTime(Duration.ofMillis(600))).orElseThrow();
		AtomicInteger lostRuns = new AtomicInteger();
		AtomicInteger closedRuns = new AtomicInteger();
		CountDownLatch lost = new CountDownLatch(1);
		lostOne.onLost(() -> {
			lostRuns.incrementAndGet();
			lost.countDown();
		});
		lostOne.onLost(() -> {
			throw new IllegalStateException("an action that throws harms nothing");
		});
		closedOne.onLost(closedRuns::incrementAndGet);
		closedOne.close();
		this.provider.evict(this.name, "lost");
		this.provider.evict(this.name, "closed");
		assertThat(lost.await(5, TimeUnit.SECONDS)).isTrue();
		AtomicReference<String> lateThread = new AtomicReference<>();
		lostOne.onLost(() -> lateThread.set(Thread.currentThread().getName()));
		assertThat(lateThread.get()).as("registered after the loss: runs at once, on the caller").isEqualTo(Thread.currentThread().getName());
		Thread.sleep(700);
		assertThat(lostRuns).hasValue(1);
		assertThat(closedRuns).hasValue(0);
		lostOne.close();
	}

	@Test
	void aMinimumHoldKeepsTheLockAfterAnEarlyReleaseWithoutDelayingTheCaller() throws Exception {
		LockTemplate template = template();
		LockTemplate other = template();
		LockHandle handle = template.tryAcquire(LockSpec.of(this.name, "k").minHoldTime(Duration.ofMillis(800))).orElseThrow();
		long start = System.nanoTime();
		handle.close();
		// half the hold: a close that waited for the hold would take 800 ms; the rest is room for a loaded machine
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the caller is not delayed").isLessThan(Duration.ofMillis(400));
		assertThat(freeFor(other, "k")).as("kept until the minimum hold time").isFalse();
		Optional<LockHandle> next = other.tryAcquire(this.name, "k", Duration.ofSeconds(3));
		assertThat(next).isPresent();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
		next.get().close();
	}

	@Test
	void asyncAcquisitionWaitsOffTheCallerAndCancellingItReleases() throws Exception {
		LockTemplate template = template();
		LockTemplate other = template();
		LockHandle blocker = other.tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		CompletableFuture<LockHandle> waiting = template.acquireAsync(LockSpec.of(this.name, "k").waitTime(Duration.ofSeconds(10)));
		assertThat(waiting).isNotDone();
		waiting.cancel(true);
		blocker.close();
		Thread.sleep(200);
		assertThat(freeFor(other, "k")).as("the cancelled wait took nothing").isTrue();
		CompletableFuture<LockHandle> granted = template.acquireAsync(LockSpec.of(this.name, "k").waitTime(Duration.ofSeconds(10)));
		LockHandle handle = granted.get(5, TimeUnit.SECONDS);
		assertThat(handle.isHeld()).isTrue();
		handle.close();
		LockHandle held = other.tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
		CompletableFuture<LockHandle> timeout = template.acquireAsync(LockSpec.of(this.name, "k").waitTime(Duration.ofMillis(200)));
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> timeout.get(5, TimeUnit.SECONDS))
			.withCauseInstanceOf(LockAcquisitionException.class);
		held.close();
	}

	@Test
	void anEmptySetOfKeysIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> template().acquireAll(LockSpec.of(this.name), List.of()))
			.withMessageContaining("No keys to lock");
	}

	@Test
	void failureMessagesSayWhatHappenedAndHowLongWasWaited() {
		LockTemplate template = template();
		try (LockHandle held = template().tryAcquire(this.name, "k", Duration.ZERO).orElseThrow()) {
			assertThatExceptionOfType(LockAcquisitionException.class)
				.isThrownBy(() -> template.acquire(this.name, "k", Duration.ofMillis(100), null))
				.withMessage("Could not acquire lock '" + this.name + "' with key 'k': it stayed held by another holder for the "
						+ "whole wait of 100ms")
				.satisfies((ex) -> assertThat(ex.getWaitTime()).isEqualTo(Duration.ofMillis(100)));
		}
	}

	@Test
	void anAsyncCallsBodyReentersItsLocksOnlyWhileAttached() throws Exception {
		LockTemplate template = template();
		LockHandle async = template.acquireAsync(LockSpec.of(this.name, "k")).get(5, TimeUnit.SECONDS);
		try (LockContext.Scope body = template.attachToThread(List.of(async))) {
			LockHandle inner = template.tryAcquire(this.name, "k", Duration.ZERO).orElseThrow();
			assertThat(inner.fencingToken()).isEqualTo(async.fencingToken());
			inner.close();
			assertThat(async.isHeld()).as("the inner level does not end the async call's lock").isTrue();
		}
		assertThat(template.tryAcquire(this.name, "k", Duration.ZERO)).as("no re-entry once the body left the thread").isEmpty();
		async.close();
		assertThat(freeFor(template(), "k")).isTrue();
	}

	@Test
	void listenersHearOfAsyncAcquisitionsOnTheCallersThreadAndOfALossBeforeTheEnd() throws Exception {
		List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
		LockTemplate template = template(new LockEventListener() {
			@Override
			public Acquisition acquiring(LockRequest request, String backend) {
				events.add("acquiring on " + Thread.currentThread().getName());
				return new Acquisition() {
					@Override
					public Holding acquired(long token) {
						return new Holding() {
							@Override
							public void lost(String reason) {
								sleepQuietly(200); // a slow listener: the end must still come after it
								events.add("lost");
							}

							@Override
							public void released() {
								events.add("released");
							}
						};
					}
				};
			}
		});
		LockHandle handle = template.acquireAsync(LockSpec.of(this.name, "k").leaseTime(Duration.ofMillis(600))).get(5, TimeUnit.SECONDS);
		CountDownLatch lost = new CountDownLatch(1);
		handle.onLost(lost::countDown);
		this.provider.evict(this.name, "k");
		while (handle.isHeld()) {
			Thread.sleep(5);
		}
		handle.close(); // at once, while the listener still hears of the loss
		assertThat(lost.await(5, TimeUnit.SECONDS)).isTrue();
		Thread.sleep(400);
		assertThat(events).containsExactly("acquiring on " + Thread.currentThread().getName(), "lost", "released");
	}

	private static void sleepQuietly(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
