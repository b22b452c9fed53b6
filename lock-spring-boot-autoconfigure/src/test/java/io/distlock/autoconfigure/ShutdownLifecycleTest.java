package io.distlock.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing the application context ends its locks as the contract's "Shutdown" says, within the
 * shutdown phase's timeout. Two contexts of one JVM share the in-memory lock space, so the second one
 * sees at once whether the first one's locks were released.
 */
class ShutdownLifecycleTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
		.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=1s");

	@Test
	void closingTheContextReleasesFinishedLocksAndReportsRunningOnesLost() throws Exception {
		String name = "shutdown-" + System.nanoTime();
		this.runner.run((survivor) -> {
			LockTemplate other = survivor.getBean(LockTemplate.class);
			CountDownLatch lost = new CountDownLatch(1);
			AtomicBoolean heldAfter = new AtomicBoolean(true);
			long[] closeTook = new long[1];
			this.runner.run((stopping) -> {
				LockTemplate template = stopping.getBean(LockTemplate.class);
				LockHandle running = template.tryAcquire(name, "running", Duration.ZERO).orElseThrow();
				running.onLost(lost::countDown);
				assertThat(other.tryAcquire(name, "running", Duration.ZERO)).isEmpty();
				long start = System.nanoTime();
				((ConfigurableApplicationContext) stopping.getSourceApplicationContext()).close();
				closeTook[0] = System.nanoTime() - start;
				heldAfter.set(running.isHeld());
			});
			assertThat(lost.await(5, TimeUnit.SECONDS)).as("the running lock was reported lost").isTrue();
			assertThat(heldAfter).isFalse();
			assertThat(Duration.ofNanos(closeTook[0])).as("waited for the work, within the phase's timeout")
				.isBetween(Duration.ofMillis(800), Duration.ofSeconds(3));
			assertThat(other.tryAcquire(name, "running", Duration.ZERO)).as("released, not left to expire")
				.hasValueSatisfying(LockHandle::close);
		});
	}
}
