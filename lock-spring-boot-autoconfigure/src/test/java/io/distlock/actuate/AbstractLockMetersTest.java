package io.distlock.actuate;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.autoconfigure.DistributedLockMetricsAutoConfiguration;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockSpec;
import io.distlock.core.LockTemplate;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The lock meters as an application sees them, on a real backend (the jdbc backend on H2, where a backend
 * error and a lost lease can be caused with plain SQL): acquired, timeout, error and lost, tagged exactly
 * {@code name}, {@code backend} and {@code outcome}, never with a key. Subclasses say how Micrometer is set up.
 */
abstract class AbstractLockMetersTest {

	/** The application's context, with Micrometer set up as the subclass says. */
	protected ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, DistributedLockAutoConfiguration.class,
					DistributedLockMetricsAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:meters" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
	}

	@Test
	void acquiredTimeoutErrorAndLostAreCountedByNameBackendAndOutcome() {
		runner().run((context) -> {
			assertThat(context).hasNotFailed();
			LockTemplate locks = context.getBean(LockTemplate.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));

			try (LockHandle held = locks.tryAcquire("orders", "42", Duration.ZERO).orElseThrow()) {
				assertThat(activeHolds(registry).activeTasks()).isEqualTo(1);
				assertThat(elsewhere(() -> locks.tryAcquire("orders", "42", Duration.ZERO))).isEmpty();
			}
			assertThat(activeHolds(registry).activeTasks()).isZero();

			LockHandle lost = locks.acquire(LockSpec.of("orders", "43").waitTime(Duration.ZERO).leaseTime(Duration.ofMillis(900)));
			// another owner in the row: the next renewal is refused, so the holder learns its lease is lost
			assertThat(jdbc.update("UPDATE distributed_lock SET owner = 'intruder' WHERE lock_key = '43'")).isEqualTo(1);
			await().atMost(Duration.ofSeconds(20)).until(() -> !lost.isHeld());
			// the core reports the loss right after isHeld() turns false; closing sooner could end the hold first
			await().atMost(Duration.ofSeconds(10)).until(() -> lostCount(registry) == 1);
			lost.close();

			jdbc.execute("DROP TABLE distributed_lock");
			assertThatExceptionOfType(LockAcquisitionException.class)
				.isThrownBy(() -> locks.tryAcquire("orders", "44", Duration.ZERO));

			assertThat(acquisitions(registry, "acquired")).isEqualTo(2);
			assertThat(acquisitions(registry, "timeout")).isEqualTo(1);
			assertThat(acquisitions(registry, "error")).isEqualTo(1);
			assertThat(registry.get("distributed.lock.held").tags("name", "orders", "backend", "jdbc").timers().stream()
				.mapToLong(io.micrometer.core.instrument.Timer::count).sum()).isEqualTo(2);
			assertThat(activeHolds(registry).activeTasks()).isZero();
			assertThat(lostCount(registry)).isEqualTo(1);
			assertNoKeyInAnyTag(registry, "42", "43", "44");
			assertExpectedTagKeys(registry);
			checkMore(context);
		});
	}

	/** Further checks of the subclass, after the scenario. */
	protected void checkMore(AssertableApplicationContext context) {
	}

	/** The tag keys every lock meter may carry beyond {@code name}, {@code backend} and {@code outcome}. */
	protected abstract java.util.Set<String> extraTagKeys();

	private void assertExpectedTagKeys(MeterRegistry registry) {
		for (Meter meter : registry.getMeters()) {
			if (meter.getId().getName().startsWith("distributed.lock.")) {
				java.util.Set<String> allowed = new java.util.HashSet<>(java.util.Set.of("name", "backend", "outcome"));
				allowed.addAll(extraTagKeys());
				assertThat(meter.getId().getTags()).extracting(Tag::getKey).as(meter.getId().toString()).isSubsetOf(allowed)
					.contains("name", "backend");
			}
		}
	}

	private static void assertNoKeyInAnyTag(MeterRegistry registry, String... keys) {
		assertThat(registry.getMeters()).flatExtracting((meter) -> meter.getId().getTags()).extracting(Tag::getValue)
			.doesNotContain(keys);
	}

	static long acquisitions(MeterRegistry registry, String outcome) {
		return registry.get("distributed.lock.acquire").tags("name", "orders", "backend", "jdbc", "outcome", outcome).timer().count();
	}

	static double lostCount(MeterRegistry registry) {
		return registry.find("distributed.lock.lost").tags("name", "orders", "backend", "jdbc").counters().stream()
			.mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
	}

	static LongTaskTimer activeHolds(MeterRegistry registry) {
		return registry.get("distributed.lock.held.active").tags("name", "orders", "backend", "jdbc").longTaskTimer();
	}

	/** Runs {@code action} on another thread (re-entry is per thread) and returns its result. */
	static Optional<LockHandle> elsewhere(java.util.function.Supplier<Optional<LockHandle>> action) {
		return CompletableFuture.supplyAsync(action, (task) -> new Thread(task).start()).join();
	}
}
