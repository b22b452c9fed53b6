package io.distlock.interceptor;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockContext;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.context.annotation.Lazy;

import static io.distlock.interceptor.OtherCaller.await;
import static io.distlock.interceptor.OtherCaller.canTake;
import static io.distlock.interceptor.OtherCaller.isHeld;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A {@code CompletionStage} result holds its lock until it completes; cancelling the returned future
 * releases it; an asynchronous call never takes over, or removes, a lock its calling thread holds.
 */
class CompletionStageLifecycleTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
		.withBean(Jobs.class);

	private void run(ContextConsumer<AssertableApplicationContext> test) {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			test.accept(context);
		});
	}

	static class Jobs {

		@Autowired
		@Lazy
		Jobs self;

		@DistributedLocked(name = "job", key = "#id", waitTime = "5s")
		CompletableFuture<Long> start(String id, CompletableFuture<String> work) {
			long token = LockContext.current().orElseThrow().fencingToken();
			return work.thenApply((ignored) -> token);
		}

		@DistributedLocked(name = "job", key = "#id", waitTime = "5s")
		CompletionStage<String> stage(String id, CompletableFuture<String> work) {
			return work;
		}

		/**
		 * A synchronous call that starts an asynchronous one on the same key, then re-enters the key: the
		 * asynchronous call waits for this one (it never re-enters), and leaves this call's re-entry alone.
		 */
		@DistributedLocked(name = "job", key = "#id", waitTime = "0")
		List<CompletableFuture<Long>> outer(String id, CompletableFuture<String> work) {
			CompletableFuture<Long> async = this.self.start(id, work);
			this.self.inner(id);
			return List.of(async);
		}

		/** An asynchronous call whose method makes a synchronous call on the same key: it re-enters. */
		@DistributedLocked(name = "job", key = "#id", waitTime = "5s")
		CompletableFuture<Long> asyncOuter(String id) {
			long token = LockContext.current().orElseThrow().fencingToken();
			this.self.inner(id);
			return CompletableFuture.completedFuture(token);
		}

		@DistributedLocked(name = "job", key = "#id", waitTime = "0")
		void inner(String id) {
		}

		final AtomicInteger quickCalls = new AtomicInteger();

		int quickCalls() {
			return this.quickCalls.get();
		}

		@DistributedLocked(name = "job", key = "#id", waitTime = "100ms")
		CompletableFuture<Long> quick(String id, CompletableFuture<String> work) {
			this.quickCalls.incrementAndGet();
			return work.thenApply((ignored) -> 1L);
		}
	}

	@Test
	void theLockIsHeldUntilTheResultCompletes() {
		run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			CompletableFuture<String> work = new CompletableFuture<>();
			CompletableFuture<Long> result = jobs.start("a", work);
			await("the call holds the lock", () -> isHeld(template, "job", "a"));
			assertThat(canTake(template, "job", "a")).isFalse();
			work.complete("done");
			assertThat(result.get(10, TimeUnit.SECONDS)).isPositive();
			assertThat(canTake(template, "job", "a")).isTrue();
		});
	}

	@Test
	void cancellingTheReturnedFutureReleases() {
		run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			CompletableFuture<String> never = new CompletableFuture<>();
			CompletableFuture<Long> result = jobs.start("c", never);
			await("the call holds the lock", () -> isHeld(template, "job", "c"));
			assertThat(result.cancel(true)).isTrue();
			await("cancelling released the lock", () -> canTake(template, "job", "c"));

			CompletionStage<String> stage = jobs.stage("c", new CompletableFuture<>());
			await("the stage holds the lock", () -> isHeld(template, "job", "c"));
			stage.toCompletableFuture().cancel(true);
			await("cancelling the stage released the lock", () -> canTake(template, "job", "c"));
		});
	}

	@Test
	void cancellingWhileWaitingLeavesNoLockBehind() {
		run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			LockHandle other = OtherCaller.hold(template, "job", "w");
			CompletableFuture<Long> result = jobs.start("w", CompletableFuture.completedFuture("x"));
			Thread.sleep(100);
			result.cancel(true);
			other.close();
			// a grant that raced with the cancellation is released by the core, on its own thread
			await("nothing is held", () -> template.heldLocks().isEmpty() && canTake(template, "job", "w"));
			Thread.sleep(200);
			assertThat(template.heldLocks()).as("and nothing is taken later").isEmpty();
		});
	}

	@Test
	void anAsyncCallInsideASynchronousOneWaitsForItAndKeepsItsReentry() {
		run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			// inner(id) re-enters the outer call's lock with a zero wait: it fails if the async call removed it
			CompletableFuture<Long> async = jobs.outer("r", CompletableFuture.completedFuture("x")).get(0);
			assertThat(async.get(10, TimeUnit.SECONDS)).isPositive();
			await("everything released", () -> template.heldLocks().isEmpty());
			// and the thread does not believe it still holds the lock: a fresh zero-wait call takes it anew
			jobs.inner("r");
			assertThat(canTake(template, "job", "r")).isTrue();
		});
	}

	@Test
	void aSynchronousCallInsideAnAsyncMethodReentersItsLock() {
		run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			assertThat(jobs.asyncOuter("s").get(10, TimeUnit.SECONDS)).isPositive();
			await("everything released", () -> template.heldLocks().isEmpty());
		});
	}

	@Test
	void aFailedAcquisitionFailsTheFutureAndTheMethodDoesNotRun() {
		run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			try (LockHandle other = OtherCaller.hold(template, "job", "f")) {
				CompletableFuture<String> work = new CompletableFuture<>();
				CompletableFuture<Long> result = jobs.quick("f", work);
				assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(10, TimeUnit.SECONDS))
					.withCauseInstanceOf(LockAcquisitionException.class);
				assertThat(jobs.quickCalls()).isZero();
			}
		});
	}
}
