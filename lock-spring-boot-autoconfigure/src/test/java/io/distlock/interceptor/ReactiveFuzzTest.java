package io.distlock.interceptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockHandle;
import io.distlock.testsupport.HistoryChecker;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many concurrent subscriptions of locked reactive results on one key, whose work hops threads: no two
 * subscriptions' work overlaps, fencing tokens strictly increase, and a read-modify-write split across
 * threads loses no increment. On the in-memory backend and on a real database (JDBC on H2).
 */
class ReactiveFuzzTest {

	private static final int CLIENTS = 6;

	private static final int ROUNDS = 25;

	/** A counter whose increment is a read, an asynchronous pause, and a write: only the lock makes it safe. */
	static class Counter {

		private final HistoryChecker history = new HistoryChecker();

		private volatile int value;

		@DistributedLocked(name = "counter", waitTime = "30s")
		Mono<Integer> increment(String client) {
			return Mono.deferContextual((context) -> {
				long token = context.get(LockHandle.class).fencingToken();
				long start = System.nanoTime();
				int read = this.value;
				return Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3)), Schedulers.parallel())
					.map((tick) -> {
						this.value = read + 1;
						this.history.record(client, token, start, System.nanoTime(), false);
						return read + 1;
					});
			});
		}

		@DistributedLocked(name = "counter", waitTime = "30s")
		Flux<Integer> incrementTwice(String client) {
			return increment(client + "-a").concatWith(Mono.defer(() -> {
				int read = this.value;
				return Mono.delay(Duration.ofMillis(1)).map((tick) -> {
					this.value = read + 1;
					return read + 1;
				});
			}));
		}

		int value() {
			return this.value;
		}

		HistoryChecker history() {
			return this.history;
		}
	}

	@Test
	void exclusionAndNoLostIncrementOnTheInMemoryBackend() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
			.withBean(Counter.class)
			.run((context) -> fuzz(context.getBean(Counter.class)));
	}

	@Test
	void exclusionAndNoLostIncrementOnAJdbcBackend() {
		H2Backend.runner().withBean(Counter.class).run((context) -> fuzz(context.getBean(Counter.class)));
	}

	private static void fuzz(Counter counter) {
		AtomicInteger seen = new AtomicInteger();
		List<Mono<Void>> clients = new ArrayList<>();
		for (int c = 0; c < CLIENTS; c++) {
			String client = "client-" + c;
			clients.add(Flux.range(0, ROUNDS)
				// every third round a Flux that holds the lock across two increments, on different threads
				.concatMap((round) -> ((round % 3 == 0) ? counter.incrementTwice(client) : counter.increment(client).flux())
					.doOnNext((value) -> seen.incrementAndGet()))
				.then()
				.subscribeOn(Schedulers.boundedElastic()));
		}
		Mono.when(clients).block(Duration.ofSeconds(120));
		HistoryChecker history = counter.history();
		assertThat(history.holds()).hasSize(CLIENTS * ROUNDS);
		assertThat(history.overlaps()).as("no two subscriptions' work overlapped").isEmpty();
		assertThat(history.tokenViolations()).as("tokens strictly increase").isEmpty();
		assertThat(counter.value()).as("no lost increment").isEqualTo(seen.get());
	}
}
