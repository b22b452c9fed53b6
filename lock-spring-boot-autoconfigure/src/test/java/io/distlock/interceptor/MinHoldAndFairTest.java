package io.distlock.interceptor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.LockTemplate;
import io.distlock.local.InMemoryLockProvider;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.distlock.interceptor.OtherCaller.canTake;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code minHoldTime} and {@code fair} reach the core as the annotation says, and misuse fails startup. */
class MinHoldAndFairTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

	static class Jobs {

		@DistributedLocked(name = "job", minHoldTime = "3s")
		void quick() {
		}

		@DistributedLocked(name = "job", key = "#id", minHoldTime = "#hold")
		void perCall(String id, Duration hold) {
		}

		@DistributedLocked(name = "queue", key = "#id", fair = true)
		void fair(String id) {
		}
	}

	@Test
	void theLockStaysTakenForTheMinimumHoldButTheCallerIsNotDelayed() {
		this.runner.withBean(Jobs.class).withBean(LockProvider.class, () -> new RecordingProvider(true)).run((context) -> {
			assertThat(context).hasNotFailed();
			Jobs jobs = context.getBean(Jobs.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			long start = System.nanoTime();
			jobs.quick();
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("the caller returns at once").isLessThan(2000);
			assertThat(canTake(template, "job", "")).as("still held after the method returned").isFalse();
			OtherCaller.await("the minimum hold ended", () -> canTake(template, "job", ""));
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("held at least 3 s").isGreaterThanOrEqualTo(2950);

			jobs.perCall("p", Duration.ZERO);
			assertThat(canTake(template, "job", "p")).isTrue();
			RecordingProvider provider = context.getBean(RecordingProvider.class);
			assertThat(provider.requests).extracting(LockRequest::fair).containsOnly(false);
		});
	}

	@Test
	void fairIsPassedToABackendThatCanDoIt() {
		this.runner.withBean(Jobs.class).withBean(LockProvider.class, () -> new RecordingProvider(true)).run((context) -> {
			assertThat(context).hasNotFailed();
			context.getBean(Jobs.class).fair("f");
			assertThat(context.getBean(RecordingProvider.class).requests).singleElement()
				.satisfies((request) -> assertThat(request.fair()).isTrue());
		});
	}

	@Test
	void fairOnABackendThatCannotDoItFailsStartupNamingMethodAndBackend() {
		this.runner.withBean(Jobs.class).withBean(LockProvider.class, () -> new RecordingProvider(false)).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(StartupValidationTest.messages(context.getStartupFailure())).contains("Jobs.fair", "fair = true",
					"recording backend");
		});
	}

	static class NegativeHold {

		@DistributedLocked(name = "n", minHoldTime = "-5s")
		void run() {
		}
	}

	static class MalformedHold {

		@DistributedLocked(name = "n", minHoldTime = "a while")
		void run() {
		}
	}

	@Test
	void aNegativeOrMalformedMinimumHoldFailsStartup() {
		this.runner.withBean(NegativeHold.class).run((context) -> assertThat(StartupValidationTest.messages(context.getStartupFailure()))
			.contains("NegativeHold.run", "minHoldTime", "-5s", "must not be negative"));
		this.runner.withBean(MalformedHold.class).run((context) -> assertThat(
				StartupValidationTest.messages(context.getStartupFailure()))
			.contains("MalformedHold.run", "minHoldTime", "a while"));
	}

	/**
	 * The real in-memory backend, saying whether it grants fair locks as told, and recording the requests
	 * it gets: a stand-in for a backend with or without fair locks, whatever the in-memory one does.
	 */
	static final class RecordingProvider implements LockProvider {

		final List<LockRequest> requests = new CopyOnWriteArrayList<>();

		private final InMemoryLockProvider delegate = new InMemoryLockProvider();

		private final boolean fair;

		RecordingProvider(boolean fair) {
			this.fair = fair;
		}

		@Override
		public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
			this.requests.add(request);
			return this.delegate.acquire(request);
		}

		@Override
		public String backendName() {
			return "recording";
		}

		@Override
		public boolean supportsFairLocks() {
			return this.fair;
		}

		@Override
		public Map<String, Object> checkHealth() {
			return Map.of();
		}
	}
}
