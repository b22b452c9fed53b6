package io.distlock.actuate;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.autoconfigure.DistributedLockMetricsAutoConfiguration;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** Lock events reach Micrometer, tagged by name and result. */
class MicrometerLockEventListenerTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockMetricsAutoConfiguration.class, DistributedLockAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class);

	@Test
	void acquisitionsTimeoutsAndHoldsAreRecorded() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(MicrometerLockEventListener.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			template.run("report", "daily", Duration.ZERO, () -> {
				boolean acquiredElsewhere = CompletableFuture
					.supplyAsync(() -> template.tryAcquire("report", "daily", Duration.ZERO).map((h) -> {
						h.close();
						return true;
					}).orElse(false), (task) -> new Thread(task).start())
					.join();
				assertThat(acquiredElsewhere).isFalse();
			});
			assertThat(registry.get("distributed.lock.acquire").tag("name", "report").tag("result", "acquired").timer().count()).isEqualTo(1);
			assertThat(registry.get("distributed.lock.acquire").tag("name", "report").tag("result", "timeout").timer().count()).isEqualTo(1);
			assertThat(registry.get("distributed.lock.held").tag("name", "report").timer().count()).isEqualTo(1);
		});
	}

	@Test
	void noRegistryNoListener() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DistributedLockMetricsAutoConfiguration.class, DistributedLockAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(MicrometerLockEventListener.class);
				try (LockHandle handle = context.getBean(LockTemplate.class).tryAcquire("x", "", Duration.ZERO).orElseThrow()) {
					assertThat(handle.isHeld()).isTrue();
				}
			});
	}
}
