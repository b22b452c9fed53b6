package io.distlock.interceptor;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.distlock.annotation.DistributedLocked;
import io.distlock.annotation.WhenLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code whenLocked = SKIP}: a call whose lock stays taken returns its return type's empty value without
 * running, for every kind of result; a backend failure still throws; misuse fails startup.
 */
@ExtendWith(OutputCaptureExtension.class)
class WhenLockedTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
		.withBean(Reports.class);

	static class Reports {

		private final AtomicInteger runs = new AtomicInteger();

		int runs() {
			return this.runs.get();
		}

		@DistributedLocked(name = "report", whenLocked = WhenLocked.SKIP, waitTime = "0")
		void build() {
			this.runs.incrementAndGet();
		}

		@DistributedLocked(name = "report", whenLocked = WhenLocked.SKIP, waitTime = "50ms")
		String text() {
			this.runs.incrementAndGet();
			return "built";
		}

		@DistributedLocked(name = "report", whenLocked = WhenLocked.SKIP, waitTime = "0")
		Integer boxed() {
			return this.runs.incrementAndGet();
		}

		@DistributedLocked(name = "report", whenLocked = WhenLocked.SKIP, waitTime = "0")
		Optional<String> optional() {
			this.runs.incrementAndGet();
			return Optional.of("built");
		}

		@DistributedLocked(name = "report", whenLocked = WhenLocked.SKIP, waitTime = "0")
		Mono<String> mono() {
			return Mono.fromSupplier(() -> {
				this.runs.incrementAndGet();
				return "built";
			});
		}

		@DistributedLocked(name = "report", whenLocked = WhenLocked.SKIP, waitTime = "0")
		Flux<String> flux() {
			return Flux.defer(() -> {
				this.runs.incrementAndGet();
				return Flux.just("a", "b");
			});
		}

		@DistributedLocked(name = "report", whenLocked = WhenLocked.SKIP, waitTime = "0")
		Maybe<String> maybe() {
			return Maybe.fromCallable(() -> {
				this.runs.incrementAndGet();
				return "built";
			});
		}

		@DistributedLocked(name = "report", whenLocked = WhenLocked.SKIP, waitTime = "0")
		CompletableFuture<String> future() {
			this.runs.incrementAndGet();
			return CompletableFuture.completedFuture("built");
		}
	}

	@Test
	void aBusyLockSkipsTheCallWithTheEmptyValueOfEachReturnType() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			try (LockHandle other = OtherCaller.hold(template, "report", "")) {
				reports.build();
				assertThat(reports.text()).isNull();
				assertThat(reports.boxed()).isNull();
				assertThat(reports.optional()).isEmpty();
				assertThat(reports.mono().hasElement().block(Duration.ofSeconds(10))).isFalse();
				assertThat(reports.flux().collectList().block(Duration.ofSeconds(10))).isEmpty();
				assertThat(reports.maybe().isEmpty().blockingGet()).isTrue();
				assertThat(reports.future().get(10, TimeUnit.SECONDS)).isNull();
				assertThat(reports.runs()).isZero();
			}
			reports.build();
			assertThat(reports.text()).isEqualTo("built");
			assertThat(reports.optional()).contains("built");
			assertThat(reports.mono().block(Duration.ofSeconds(10))).isEqualTo("built");
			assertThat(reports.flux().collectList().block(Duration.ofSeconds(10))).containsExactly("a", "b");
			assertThat(reports.maybe().blockingGet()).isEqualTo("built");
			assertThat(reports.future().get(10, TimeUnit.SECONDS)).isEqualTo("built");
			assertThat(reports.runs()).isEqualTo(7);
		});
	}

	@Test
	void eachSkipLogsADebugLine(CapturedOutput output) {
		Logger logger = (Logger) LoggerFactory.getLogger("io.distlock.interceptor");
		Level before = logger.getLevel();
		logger.setLevel(Level.DEBUG);
		try {
			this.runner.run((context) -> {
				Reports reports = context.getBean(Reports.class);
				try (LockHandle other = OtherCaller.hold(context.getBean(LockTemplate.class), "report", "")) {
					reports.build();
					reports.text();
				}
			});
		}
		finally {
			logger.setLevel(before);
		}
		assertThat(output.toString().lines().filter((line) -> line.contains("DEBUG") && line.contains("Skipped")))
			.anySatisfy((line) -> assertThat(line).contains("Reports.build()").contains("'report'"))
			.anySatisfy((line) -> assertThat(line).contains("Reports.text()").contains("50ms"));
	}

	@Test
	void aBackendFailureIsNeverSkipped() {
		H2Backend.runner()
			.withBean(Reports.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Reports reports = context.getBean(Reports.class);
				reports.build();
				// an operator drops the lock table: every acquisition now fails in the backend
				H2Backend.execute(context, "DROP TABLE distributed_lock");
				assertThatExceptionOfType(LockAcquisitionException.class).isThrownBy(reports::build)
					.withMessageContaining("backend failed")
					.satisfies((ex) -> assertThat(ex.getCause()).isNotNull());
				assertThatExceptionOfType(LockAcquisitionException.class)
					.isThrownBy(() -> reports.mono().block(Duration.ofSeconds(10)));
				assertThat(reports.runs()).isEqualTo(1);
			});
	}

	static class SkipsAPrimitive {

		@DistributedLocked(name = "count", whenLocked = WhenLocked.SKIP)
		int count() {
			return 1;
		}
	}

	static class SkipsASingle {

		@DistributedLocked(name = "single", whenLocked = WhenLocked.SKIP)
		Single<String> single() {
			return Single.just("x");
		}
	}

	static class SkipsAndFallsBack {

		@DistributedLocked(name = "both", whenLocked = WhenLocked.SKIP, fallback = "other")
		String both() {
			return "x";
		}

		String other() {
			return "y";
		}
	}

	@Test
	void skipOnAResultWithoutAnEmptyValueFailsStartup() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
			.withBean(SkipsAPrimitive.class)
			.run((context) -> assertThat(StartupValidationTest.messages(context.getStartupFailure()))
				.contains("SkipsAPrimitive.count", "whenLocked = SKIP", "primitive int"));
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
			.withBean(SkipsASingle.class)
			.run((context) -> assertThat(StartupValidationTest.messages(context.getStartupFailure()))
				.contains("SkipsASingle.single", "whenLocked = SKIP", Single.class.getName(), "cannot be empty"));
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
			.withBean(SkipsAndFallsBack.class)
			.run((context) -> assertThat(StartupValidationTest.messages(context.getStartupFailure()))
				.contains("SkipsAndFallsBack.both", "SKIP", "fallback = 'other'"));
	}
}
