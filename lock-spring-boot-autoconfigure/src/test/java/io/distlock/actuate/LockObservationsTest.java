package io.distlock.actuate;

import java.time.Duration;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.autoconfigure.DistributedLockMetricsAutoConfiguration;
import io.distlock.core.LockTemplate;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** The observations themselves, recorded by micrometer-observation-test's {@link TestObservationRegistry}. */
class LockObservationsTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class, DistributedLockMetricsAutoConfiguration.class))
		.withBean(TestObservationRegistry.class, TestObservationRegistry::create);

	@Test
	void acquireAndHeldObservationsWithTheirKeyValues() {
		this.runner.withPropertyValues("distributed-lock.key-prefix=shop:").run((context) -> {
			TestObservationRegistry observations = context.getBean(TestObservationRegistry.class);
			context.getBean(LockTemplate.class).run("orders", "42", Duration.ofSeconds(1), () -> {
				assertThat(observations).hasObservationWithNameEqualTo("distributed.lock.held").that().hasBeenStarted().isNotStopped();
			});

			assertThat(observations).hasNumberOfObservationsEqualTo(2)
				.hasObservationWithNameEqualTo("distributed.lock.acquire")
				.that()
				.hasBeenStopped()
				.hasLowCardinalityKeyValue("name", "orders")
				.hasLowCardinalityKeyValue("backend", "in-memory")
				.hasLowCardinalityKeyValue("outcome", "acquired")
				.hasHighCardinalityKeyValue("distributed.lock.key", "42")
				.doesNotHaveError();
			assertThat(observations).hasObservationWithNameEqualTo("distributed.lock.held")
				.that()
				.hasBeenStopped()
				.hasLowCardinalityKeyValue("name", "orders")
				.doesNotHaveLowCardinalityKeyValueWithKey("outcome")
				.hasHighCardinalityKeyValue("distributed.lock.key", "42");
		});
	}

	@Test
	void aConventionBeanReplacesTheDefault() {
		this.runner.withBean(LockAcquireObservationConvention.class, () -> new DefaultLockAcquireObservationConvention() {

			@Override
			public KeyValues getLowCardinalityKeyValues(LockAcquireContext context) {
				return super.getLowCardinalityKeyValues(context).and("tenant", "acme");
			}

			@Override
			public String getContextualName(LockAcquireContext context) {
				return "lock " + context.getRequest().name();
			}
		}).run((context) -> {
			TestObservationRegistry observations = context.getBean(TestObservationRegistry.class);
			context.getBean(LockTemplate.class).run("orders", "42", Duration.ofSeconds(1), () -> {
			});
			assertThat(observations).hasObservationWithNameEqualTo("distributed.lock.acquire")
				.that()
				.hasContextualNameEqualTo("lock orders")
				.hasLowCardinalityKeyValue("tenant", "acme")
				.hasLowCardinalityKeyValue("outcome", "acquired");
		});
	}
}
