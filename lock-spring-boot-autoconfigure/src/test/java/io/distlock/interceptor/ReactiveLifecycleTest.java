package io.distlock.interceptor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;

import static io.distlock.interceptor.OtherCaller.await;
import static io.distlock.interceptor.OtherCaller.canTake;
import static io.distlock.interceptor.OtherCaller.isHeld;
import static io.distlock.interceptor.OtherCaller.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reactive results are locked per subscription (issue 15, defect 1): nothing is taken when the method is
 * called, each subscription acquires anew without blocking, the lock is released before the subscriber
 * sees the terminal signal, and on cancellation. In-memory backend, through a real context.
 */
class ReactiveLifecycleTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
		.withBean(Library.class);

	private void run(ContextConsumer<AssertableApplicationContext> test) {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			test.accept(context);
		});
	}

	static class Library {

		final AtomicInteger calls = new AtomicInteger();

		@DistributedLocked(name = "book", key = "#id", waitTime = "5s")
		Mono<String> mono(String id, Mono<String> work) {
			this.calls.incrementAndGet();
			return work;
		}

		@DistributedLocked(name = "book", key = "#id", waitTime = "5s")
		Flux<String> flux(String id, Flux<String> work) {
			this.calls.incrementAndGet();
			return work;
		}

		@DistributedLocked(name = "book", key = "#id", waitTime = "5s")
		Single<String> single(String id, Single<String> work) {
			return work;
		}

		@DistributedLocked(name = "book", key = "#id", waitTime = "5s")
		Flowable<String> flowable(String id, Flowable<String> work) {
			return work;
		}

		@DistributedLocked(name = "shelf", keys = "#ids", waitTime = "5s")
		Flux<String> several(List<String> ids, Flux<String> work) {
			return work;
		}
	}

	@Test
	void aResultThatIsNeverSubscribedTakesNoLock() {
		run((context) -> {
			Library library = context.getBean(Library.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			library.mono("never", Mono.just("x"));
			library.flux("never", Flux.just("x"));
			library.single("never", Single.just("x"));
			library.flowable("never", Flowable.just("x"));
			assertThat(template.heldLocks()).isEmpty();
			assertThat(canTake(template, "book", "never")).isTrue();
		});
	}

	@Test
	void neitherCallingNorSubscribingBlocksWhileTheLockIsHeldElsewhere() {
		run((context) -> {
			Library library = context.getBean(Library.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			LockHandle other = OtherCaller.hold(template, "book", "busy");
			long start = System.nanoTime();
			Mono<String> result = library.mono("busy", Mono.just("x"));
			var subscribed = result.toFuture();
			long callAndSubscribeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			Thread.sleep(200);
			assertThat(subscribed).isNotDone();
			other.close();
			assertThat(subscribed.get(10, TimeUnit.SECONDS)).isEqualTo("x");
			// the wait is 5 s and the other caller lets go only after this: a blocking call or subscription would
			// have lasted the whole 5 s (and failed); generous slack for a loaded machine
			assertThat(callAndSubscribeMillis).isLessThan(2000);
		});
	}

	@Test
	void eachSubscriptionAcquiresAnewSoRetryRunsLocked() {
		run((context) -> {
			Library library = context.getBean(Library.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			List<Long> tokens = new CopyOnWriteArrayList<>();
			AtomicInteger attempts = new AtomicInteger();
			Mono<String> flaky = Mono.defer(() -> {
				tokens.add(token(template, "book", "retry"));
				return (attempts.incrementAndGet() < 3) ? Mono.error(new IllegalStateException("flaky")) : Mono.just("ok");
			});
			assertThat(library.mono("retry", flaky).retry(2).block(Duration.ofSeconds(10))).isEqualTo("ok");
			assertThat(tokens).hasSize(3).allSatisfy((t) -> assertThat(t).as("locked during each attempt").isPositive());
			assertThat(tokens).as("a new acquisition per subscription").isSorted().doesNotHaveDuplicates();
			assertThat(template.heldLocks()).isEmpty();

			tokens.clear();
			Flux<String> once = Flux.defer(() -> {
				tokens.add(token(template, "book", "repeat"));
				return Flux.just("a", "b");
			});
			assertThat(library.flux("repeat", once).repeat(2).collectList().block(Duration.ofSeconds(10))).hasSize(6);
			assertThat(tokens).hasSize(3).allSatisfy((t) -> assertThat(t).isPositive());
			assertThat(tokens).isSorted().doesNotHaveDuplicates();
		});
	}

	@Test
	void theLockIsReleasedBeforeTheSubscriberSeesCompletionOrError() {
		run((context) -> {
			Library library = context.getBean(Library.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			AtomicReference<Boolean> freeOnValue = new AtomicReference<>();
			library.mono("done", Mono.just("x")).doOnNext((v) -> freeOnValue.set(canTake(template, "book", "done")))
				.block(Duration.ofSeconds(10));
			assertThat(freeOnValue).hasValue(true);

			AtomicReference<Boolean> heldOnElement = new AtomicReference<>();
			AtomicReference<Boolean> freeOnComplete = new AtomicReference<>();
			library.flux("done", Flux.just("a"))
				.doOnNext((v) -> heldOnElement.set(isHeld(template, "book", "done")))
				.doOnComplete(() -> freeOnComplete.set(canTake(template, "book", "done")))
				.blockLast(Duration.ofSeconds(10));
			assertThat(heldOnElement).hasValue(true);
			assertThat(freeOnComplete).hasValue(true);

			AtomicReference<Boolean> freeOnError = new AtomicReference<>();
			library.mono("done", Mono.error(new IllegalStateException("no")))
				.doOnError((ex) -> freeOnError.set(canTake(template, "book", "done")))
				.onErrorResume((ex) -> Mono.empty())
				.block(Duration.ofSeconds(10));
			assertThat(freeOnError).hasValue(true);

			AtomicReference<Boolean> freeOnSuccess = new AtomicReference<>();
			library.single("done", Single.just("x")).doOnSuccess((v) -> freeOnSuccess.set(canTake(template, "book", "done")))
				.blockingGet();
			assertThat(freeOnSuccess).hasValue(true);
		});
	}

	@Test
	void cancellingReleases() {
		run((context) -> {
			Library library = context.getBean(Library.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			AtomicBoolean upstreamCancelled = new AtomicBoolean();
			Disposable subscription = library.flux("cancel", Flux.<String>never().doOnCancel(() -> upstreamCancelled.set(true)))
				.subscribe();
			await("the subscription holds the lock", () -> isHeld(template, "book", "cancel"));
			subscription.dispose();
			await("cancellation released the lock", () -> canTake(template, "book", "cancel"));
			assertThat(upstreamCancelled).isTrue();

			var waiting = library.flowable("cancel", Flowable.never()).test();
			await("the Flowable's subscription holds the lock", () -> isHeld(template, "book", "cancel"));
			waiting.cancel();
			await("cancelling the Flowable released the lock", () -> canTake(template, "book", "cancel"));
		});
	}

	@Test
	void cancellingWhileWaitingLeavesNoLockBehind() {
		run((context) -> {
			Library library = context.getBean(Library.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			LockHandle other = OtherCaller.hold(template, "book", "queue");
			AtomicBoolean ran = new AtomicBoolean();
			Disposable waiting = library.mono("queue", Mono.fromRunnable(() -> ran.set(true))).subscribe();
			Thread.sleep(100);
			waiting.dispose();
			other.close();
			// a grant that raced with the cancellation is released by the core, on its own thread
			await("nothing is held", () -> template.heldLocks().isEmpty() && canTake(template, "book", "queue"));
			Thread.sleep(200);
			assertThat(template.heldLocks()).as("and nothing is taken later").isEmpty();
			assertThat(ran).isFalse();
		});
	}

	@Test
	void chainedCallsOnOneKeyRunOneAfterTheOther() {
		run((context) -> {
			Library library = context.getBean(Library.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			// b is called (assembled) before a runs: b must not wait on a lock that a's call took
			String result = library.mono("chain", Mono.just("a")).then(library.mono("chain", Mono.just("b")))
				.block(Duration.ofSeconds(10));
			assertThat(result).isEqualTo("b");
			// a cache hit never subscribes the locked fallback, and leaves no lock behind
			assertThat(Mono.just("cached").switchIfEmpty(library.mono("chain", Mono.just("loaded"))).block()).isEqualTo("cached");
			assertThat(template.heldLocks()).isEmpty();
			assertThat(canTake(template, "book", "chain")).isTrue();
		});
	}

	@Test
	void severalKeysAreHeldPerSubscription() {
		run((context) -> {
			Library library = context.getBean(Library.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			List<Boolean> held = new CopyOnWriteArrayList<>();
			library.several(List.of("x", "y"), Flux.defer(() -> {
				held.add(isHeld(template, "shelf", "x") && isHeld(template, "shelf", "y"));
				return Flux.just("done");
			})).blockLast(Duration.ofSeconds(10));
			assertThat(held).containsExactly(true);
			assertThat(template.heldLocks()).isEmpty();
		});
	}
}
