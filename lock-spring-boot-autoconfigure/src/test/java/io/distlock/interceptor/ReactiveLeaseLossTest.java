package io.distlock.interceptor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.distlock.annotation.DistributedLocked;
import io.distlock.core.LockHandle;
import io.distlock.core.LockLostException;
import io.distlock.core.LockTemplate;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static io.distlock.interceptor.OtherCaller.await;
import static io.distlock.interceptor.OtherCaller.isHeld;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A reactive result whose lease is lost while it runs ends with {@link LockLostException}, and the work
 * upstream is cancelled. The lease is lost as an operator would lose it: the lock's row is deleted from
 * the JDBC backend's table (H2), so the next renewal is refused.
 */
class ReactiveLeaseLossTest {

	static class Feed {

		final AtomicBoolean cancelled = new AtomicBoolean();

		@DistributedLocked(name = "feed", key = "#id", leaseTime = "900ms")
		Flux<Long> ticks(String id) {
			return Flux.interval(Duration.ofMillis(20)).doOnCancel(() -> this.cancelled.set(true));
		}

		@DistributedLocked(name = "feed", key = "#id", leaseTime = "900ms")
		Mono<Long> token(String id, Mono<Void> work) {
			return work.then(Mono.deferContextual((context) -> Mono.just(context.get(LockHandle.class).fencingToken())))
				.doOnCancel(() -> this.cancelled.set(true));
		}

		boolean cancelled() {
			return this.cancelled.get();
		}
	}

	@Test
	void aLostLeaseEndsTheResultWithLockLostExceptionAndCancelsTheWork() {
		H2Backend.runner().withBean(Feed.class).run((context) -> {
			Feed feed = context.getBean(Feed.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			CompletableFuture<Long> count = feed.ticks("f1").count().toFuture();
			await("the subscription holds the lock", () -> isHeld(template, "feed", "f1"));
			H2Backend.execute(context, "DELETE FROM distributed_lock");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> count.get(10, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(LockLostException.class)
				.withMessageContaining("'feed' with key 'f1'")
				.satisfies((ex) -> assertThat(((LockLostException) ex).getLockKey()).isEqualTo("f1"));
			assertThat(feed.cancelled()).as("the work upstream was cancelled").isTrue();
			await("the lost lock was let go", () -> template.heldLocks().isEmpty());
		});
	}

	@Test
	void aMonoReadsItsFencingTokenFromTheReactorContextAndEndsWithTheLossToo() {
		H2Backend.runner().withBean(Feed.class).run((context) -> {
			Feed feed = context.getBean(Feed.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			long token = feed.token("t", Mono.empty()).block(Duration.ofSeconds(10));
			assertThat(token).isPositive();
			assertThat(feed.token("t", Mono.empty()).block(Duration.ofSeconds(10))).as("a new acquisition, a greater token")
				.isGreaterThan(token);

			CompletableFuture<Long> never = feed.token("t", Mono.never()).toFuture();
			await("the subscription holds the lock", () -> isHeld(template, "feed", "t"));
			H2Backend.execute(context, "DELETE FROM distributed_lock");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> never.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(LockLostException.class);
			assertThat(feed.cancelled()).isTrue();
		});
	}
}
