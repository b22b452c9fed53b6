package io.distlock.interceptor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code fallback}: the named method of the same bean gives the result whenever the lock is not
 * acquired (timeout or backend failure); it is resolved and checked at startup.
 */
class FallbackTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

	static class Quotes {

		@DistributedLocked(name = "quote", key = "#sku", waitTime = "100ms", fallback = "cachedQuote")
		String quote(String sku) {
			return "live " + sku;
		}

		String cachedQuote(String sku, LockAcquisitionException ex) {
			return "cached " + sku + " after " + ((ex.getCause() != null) ? "a backend failure" : "a timeout of " + ex.getWaitTime());
		}

		@DistributedLocked(name = "quote", key = "#sku", waitTime = "0", fallback = "plainQuote")
		String plain(String sku) {
			return "live " + sku;
		}

		private String plainQuote(String sku) {
			return "plain " + sku;
		}

		@DistributedLocked(name = "quote", key = "#sku", waitTime = "0", fallback = "monoQuote")
		Mono<String> reactive(String sku) {
			return Mono.just("live " + sku);
		}

		Mono<String> monoQuote(String sku, LockAcquisitionException ex) {
			return Mono.just("cached " + sku);
		}

		@DistributedLocked(name = "quote", key = "#sku", waitTime = "0", fallback = "futureQuote")
		CompletableFuture<String> async(String sku) {
			return CompletableFuture.completedFuture("live " + sku);
		}

		CompletableFuture<String> futureQuote(String sku) {
			return CompletableFuture.completedFuture("cached " + sku);
		}

		/** The body's own failure is not the lock's: no fallback. */
		@DistributedLocked(name = "quote", key = "#sku", waitTime = "0", fallback = "plainQuote")
		String failing(String sku) {
			throw new LockAcquisitionException("other", "x", Duration.ZERO);
		}
	}

	@Test
	void aTimeoutCallsTheFallbackWithTheArgumentsAndTheException() {
		this.runner.withBean(Quotes.class).run((context) -> {
			assertThat(context).hasNotFailed();
			Quotes quotes = context.getBean(Quotes.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			assertThat(quotes.quote("a")).isEqualTo("live a");
			try (LockHandle other = OtherCaller.hold(template, "quote", "a")) {
				assertThat(quotes.quote("a")).isEqualTo("cached a after a timeout of PT0.1S");
				assertThat(quotes.plain("a")).isEqualTo("plain a");
				assertThat(quotes.reactive("a").block(Duration.ofSeconds(10))).isEqualTo("cached a");
				assertThat(quotes.async("a").get(10, TimeUnit.SECONDS)).isEqualTo("cached a");
			}
			assertThat(quotes.reactive("a").block(Duration.ofSeconds(10))).isEqualTo("live a");
			assertThat(quotes.async("a").get(10, TimeUnit.SECONDS)).isEqualTo("live a");
			org.assertj.core.api.Assertions.assertThatExceptionOfType(LockAcquisitionException.class)
				.isThrownBy(() -> quotes.failing("a")).satisfies((ex) -> assertThat(ex.getLockName()).isEqualTo("other"));
		});
	}

	@Test
	void aBackendFailureCallsTheFallbackToo() {
		H2Backend.runner()
			.withBean(Quotes.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Quotes quotes = context.getBean(Quotes.class);
				assertThat(quotes.quote("b")).isEqualTo("live b");
				H2Backend.execute(context, "DROP TABLE distributed_lock");
				assertThat(quotes.quote("b")).isEqualTo("cached b after a backend failure");
				assertThat(quotes.reactive("b").block(Duration.ofSeconds(10))).isEqualTo("cached b");
			});
	}

	static class Missing {

		@DistributedLocked(name = "m", fallback = "nowhere")
		String call(String a) {
			return a;
		}
	}

	static class WrongParameters {

		@DistributedLocked(name = "m", fallback = "other")
		String call(String a, int b) {
			return a;
		}

		String other(String a) {
			return a;
		}

		String other(String a, long b, Exception ex) {
			return a;
		}
	}

	static class WrongReturnType {

		@DistributedLocked(name = "m", fallback = "other")
		String call(String a) {
			return a;
		}

		Integer other(String a) {
			return 1;
		}
	}

	@Test
	void aFallbackThatDoesNotFitFailsStartupNamingBothMethods() {
		this.runner.withBean(Missing.class).run((context) -> assertThat(StartupValidationTest.messages(context.getStartupFailure()))
			.contains("Missing.call", "'nowhere'", "nowhere(String) or nowhere(String, LockAcquisitionException)"));
		this.runner.withBean(WrongParameters.class).run((context) -> assertThat(
				StartupValidationTest.messages(context.getStartupFailure()))
			.contains("WrongParameters.call", "WrongParameters.other(String)", "WrongParameters.other(String, long, Exception)",
					"other(String, int) or other(String, int, LockAcquisitionException)"));
		this.runner.withBean(WrongReturnType.class).run((context) -> assertThat(
				StartupValidationTest.messages(context.getStartupFailure()))
			.contains("WrongReturnType.call", "WrongReturnType.other(String)", "java.lang.String"));
	}
}
