package io.distlock.interceptor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Input that used to lock nothing, silently (issue 15, defect 7): an empty key collection, a key object
 * without its own {@code toString()}, methods a proxy cannot reach, and duration expressions that were
 * mistaken for constants.
 */
class BadInputTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

	/** A key class that keeps {@code Object.toString()}: every instance would be its own lock. */
	static final class Account {

		final String id;

		Account(String id) {
			this.id = id;
		}
	}

	/** What {@code args[0].timeout} reads. */
	record Request(String id, Duration timeout) {
	}

	static class Ledger {

		final AtomicInteger bodyRuns = new AtomicInteger();

		int bodyRuns() {
			return this.bodyRuns.get();
		}

		@DistributedLocked(name = "ledger", keys = "#ids")
		int post(List<String> ids) {
			return this.bodyRuns.incrementAndGet();
		}

		@DistributedLocked(name = "ledger", key = "#account")
		int byAccount(Account account) {
			return this.bodyRuns.incrementAndGet();
		}

		@DistributedLocked(name = "ledger", keys = { "#a", "#b" })
		int pair(Object a, Object b) {
			return this.bodyRuns.incrementAndGet();
		}

	}

	/** Duration expressions that read the call or change over time: evaluated per call. */
	static class Timeouts {

		final AtomicInteger bodyRuns = new AtomicInteger();

		@DistributedLocked(name = "ledger", key = "args[0].id", waitTime = "args[0].timeout")
		int request(Request request) {
			return this.bodyRuns.incrementAndGet();
		}

	}

	/** A wait that changes over time. */
	static class Ticking {

		final AtomicInteger bodyRuns = new AtomicInteger();

		@DistributedLocked(name = "ledger", key = "'tick'", waitTime = "T(io.distlock.interceptor.BadInputTest).currentWait()")
		int ticking() {
			return this.bodyRuns.incrementAndGet();
		}
	}

	private static volatile Duration currentWait = Duration.ofMillis(50);

	public static Duration currentWait() {
		return currentWait;
	}

	@Test
	void anEmptyKeyCollectionIsRejectedNamingMethodAndExpressionAndTheBodyDoesNotRun() {
		this.runner.withBean(Ledger.class).run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> ledger.post(List.of()))
				.withMessageContaining("Ledger.post")
				.withMessageContaining("'#ids'");
			assertThat(ledger.bodyRuns()).isZero();
			assertThat(ledger.post(List.of("a"))).isEqualTo(1);
		});
	}

	@Test
	void aKeyWithoutItsOwnToStringIsRejectedNamingMethodExpressionAndClass() {
		this.runner.withBean(Ledger.class).run((context) -> {
			Ledger ledger = context.getBean(Ledger.class);
			assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> ledger.byAccount(new Account("1")))
				.withMessageContaining("Ledger.byAccount")
				.withMessageContaining("'#account'")
				.withMessageContaining(Account.class.getName())
				.withMessageContaining("toString");
			assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> ledger.pair("x", new Account("2")))
				.withMessageContaining("Ledger.pair")
				.withMessageContaining("'#b'")
				.withMessageContaining(Account.class.getName());
			assertThat(ledger.bodyRuns()).isZero();
			// values with their own toString() are fine: strings, numbers, records, enums
			assertThat(ledger.pair(42, new Request("r", null))).isEqualTo(1);
		});
	}

	@Test
	void aRootObjectPathIsEvaluatedPerCall() {
		this.runner.withBean(Timeouts.class).run((context) -> {
			assertThat(context).hasNotFailed();
			Timeouts ledger = context.getBean(Timeouts.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			try (LockHandle other = OtherCaller.hold(template, "ledger", "r1")) {
				long start = System.nanoTime();
				assertThatExceptionOfType(LockAcquisitionException.class)
					.isThrownBy(() -> ledger.request(new Request("r1", Duration.ofMillis(300))))
					.satisfies((ex) -> assertThat(ex.getWaitTime()).isEqualTo(Duration.ofMillis(300)));
				assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(290);
			}
			assertThat(ledger.request(new Request("r1", Duration.ZERO))).isEqualTo(1);
		});
	}

	@Test
	void aStaticMethodCallIsEvaluatedPerCallNotFrozenAtStartup() {
		currentWait = Duration.ofMillis(50);
		this.runner.withBean(Ticking.class).run((context) -> {
			assertThat(context).hasNotFailed();
			Ticking ledger = context.getBean(Ticking.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			try (LockHandle other = OtherCaller.hold(template, "ledger", "tick")) {
				assertThatExceptionOfType(LockAcquisitionException.class).isThrownBy(ledger::ticking)
					.satisfies((ex) -> assertThat(ex.getWaitTime()).isEqualTo(Duration.ofMillis(50)));
				currentWait = Duration.ofMillis(400);
				assertThatExceptionOfType(LockAcquisitionException.class).isThrownBy(ledger::ticking)
					.satisfies((ex) -> assertThat(ex.getWaitTime()).isEqualTo(Duration.ofMillis(400)));
			}
			finally {
				currentWait = Duration.ofMillis(50);
			}
		});
	}

	static class FinalMethod {

		@DistributedLocked(name = "final")
		public final void run() {
		}
	}

	@Test
	void aFinalMethodFailsStartup() {
		this.runner.withBean(FinalMethod.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(StartupValidationTest.messages(context.getStartupFailure())).contains("FinalMethod.run").contains("final");
		});
	}

	public interface Greeter {

		String greet(String name);
	}

	static class InterfaceBean implements Greeter {

		@Override
		@DistributedLocked(name = "greet", key = "#name")
		public String greet(String name) {
			return "hello " + name;
		}

		/** Not on the interface: a JDK proxy never sees this call. */
		@DistributedLocked(name = "hidden")
		public String hidden() {
			return "unlocked";
		}
	}

	static class ReachableInterfaceBean implements Greeter {

		@Override
		@DistributedLocked(name = "greet", key = "#name")
		public String greet(String name) {
			return "hello " + name;
		}
	}

	@Test
	void aMethodThatAJdkProxyCannotReachFailsStartup() {
		this.runner.withPropertyValues("spring.aop.proxy-target-class=false").withBean(InterfaceBean.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(StartupValidationTest.messages(context.getStartupFailure())).contains("InterfaceBean.hidden")
				.contains(Greeter.class.getName());
		});
		this.runner.withPropertyValues("spring.aop.proxy-target-class=false").withBean(ReachableInterfaceBean.class).run((context) -> {
			assertThat(context).hasNotFailed();
			Greeter greeter = context.getBean(Greeter.class);
			assertThat(org.springframework.aop.support.AopUtils.isJdkDynamicProxy(greeter)).isTrue();
			assertThat(greeter.greet("x")).isEqualTo("hello x");
		});
	}
}
