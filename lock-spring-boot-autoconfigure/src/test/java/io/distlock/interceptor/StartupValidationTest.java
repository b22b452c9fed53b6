package io.distlock.interceptor;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** Mistakes in any annotated method fail startup, naming the method; nothing waits for a first call. */
class StartupValidationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

	private void assertStartupFails(Class<?> bean, String... fragments) {
		this.runner.withBean(bean).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains(fragments);
		});
	}

	/** The messages of a startup failure and all its causes, one per line. */
	static String messages(@Nullable Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			messages.append(t.getMessage()).append('\n');
		}
		return messages.toString();
	}

	static class MalformedKey {

		void fine() {
		}

		@DistributedLocked(key = "#order.(")
		void broken(Object order) {
		}
	}

	static class MalformedDuration {

		@DistributedLocked(key = "#id", waitTime = "2 seconds please")
		void broken(String id) {
		}
	}

	static class UnknownUnit {

		@DistributedLocked(key = "#id", leaseTime = "2x")
		void broken(String id) {
		}
	}

	static class NegativeWait {

		@DistributedLocked(key = "#id", waitTime = "-1s")
		void broken(String id) {
		}
	}

	static class ZeroLease {

		@DistributedLocked(key = "#id", leaseTime = "0")
		void broken(String id) {
		}
	}

	static class NegativeLeaseFromConstantExpression {

		@DistributedLocked(key = "#id", leaseTime = "T(java.time.Duration).ofSeconds(-5)")
		void broken(String id) {
		}
	}

	static class UnresolvablePlaceholder {

		@DistributedLocked(key = "#id", waitTime = "${no.such.property}")
		void broken(String id) {
		}
	}

	static class KeyAndKeys {

		@DistributedLocked(key = "#a", keys = { "#a", "#b" })
		void broken(String a, String b) {
		}
	}

	static class SecondMethodBroken {

		@DistributedLocked(key = "#id")
		void first(String id) {
		}

		@DistributedLocked(key = "#id", waitTime = "soon")
		void second(String id) {
		}
	}

	@Test
	void malformedKeyExpression() {
		assertStartupFails(MalformedKey.class, "MalformedKey.broken", "#order.(");
	}

	@Test
	void malformedDuration() {
		assertStartupFails(MalformedDuration.class, "MalformedDuration.broken", "waitTime", "2 seconds please");
	}

	@Test
	void unknownDurationUnit() {
		assertStartupFails(UnknownUnit.class, "UnknownUnit.broken", "leaseTime", "2x");
	}

	@Test
	void negativeWait() {
		assertStartupFails(NegativeWait.class, "NegativeWait.broken", "waitTime", "must not be negative");
	}

	@Test
	void zeroLease() {
		assertStartupFails(ZeroLease.class, "ZeroLease.broken", "leaseTime", "must be positive");
	}

	@Test
	void negativeLeaseFromAConstantExpression() {
		assertStartupFails(NegativeLeaseFromConstantExpression.class, "NegativeLeaseFromConstantExpression.broken", "must be positive");
	}

	@Test
	void unresolvablePlaceholder() {
		assertStartupFails(UnresolvablePlaceholder.class, "UnresolvablePlaceholder.broken", "no.such.property");
	}

	@Test
	void keyCombinedWithKeys() {
		assertStartupFails(KeyAndKeys.class, "KeyAndKeys.broken", "both key and keys");
	}

	@Test
	void everyMethodIsCheckedNotOnlyTheFirst() {
		assertStartupFails(SecondMethodBroken.class, "SecondMethodBroken.second", "soon");
	}
}
