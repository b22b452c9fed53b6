package io.distlock.interceptor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import io.distlock.interceptor.LockedServices.Customer;
import io.distlock.interceptor.LockedServices.KeyResolver;
import io.distlock.interceptor.LockedServices.Order;
import io.distlock.interceptor.LockedServices.Seen;
import io.distlock.interceptor.LockedServices.Shop;
import org.junit.jupiter.api.Test;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The annotation through a real Spring context on the in-memory backend. */
class LockInterceptorTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
		.withPropertyValues("distributed-lock.wait-time=1s")
		.withBean("keyResolver", KeyResolver.class)
		.withBean(Shop.class);

	private void run(ContextConsumer<AssertableApplicationContext> test) {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			test.accept(context);
		});
	}

	/** Holds the lock from another thread (another caller) while {@code action} runs. */
	private static void whileHeldElsewhere(LockTemplate template, String name, String key, Runnable action) throws Exception {
		try (LockHandle handle = OtherCaller.hold(template, name, key)) {
			action.run();
		}
	}

	private static boolean heldElsewhere(LockTemplate template, String name, String key) {
		return !OtherCaller.canTake(template, name, key);
	}

	@Test
	void keyFromANestedArgumentProperty() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			assertThat(AopUtils.isAopProxy(shop)).isTrue();
			Seen seen = shop.buy(new Order("sku-1", new Customer("c-7")));
			assertThat(seen.name()).isEqualTo("stock");
			assertThat(seen.key()).isEqualTo("sku-1");
			assertThat(shop.nested(new Order("sku-1", new Customer("c-7"))).key()).isEqualTo("c-7");
		});
	}

	@Test
	void positionalArgumentsRootAndBeans() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			assertThat(shop.positional("x", 3).key()).isEqualTo("x:3:positional");
			assertThat(shop.bean("42").key()).isEqualTo("eu-42");
		});
	}

	@Test
	void defaultNameIsClassAndMethodAndEmptyKeyLocksTheWholeName() {
		run((context) -> {
			Seen seen = context.getBean(Shop.class).defaults();
			assertThat(seen.name()).isEqualTo("Shop.defaults");
			assertThat(seen.key()).isEmpty();
		});
	}

	@Test
	void nullOrEmptyKeyIsRejectedNamingMethodAndExpressionAndTheBodyDoesNotRun() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> shop.nullable(null))
				.withMessageContaining("Shop.nullable")
				.withMessageContaining("'#sku'")
				.withMessageContaining("null");
			assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> shop.nullable(""))
				.withMessageContaining("empty");
			assertThat(shop.bodyRuns()).isZero();
		});
	}

	@Test
	void lockIsExclusiveAndTheBodyDoesNotRunWhenNotAcquired() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			whileHeldElsewhere(template, "stock", "sku-9", () -> {
				long start = System.nanoTime();
				assertThatExceptionOfType(LockAcquisitionException.class).isThrownBy(() -> shop.buy(new Order("sku-9", null)))
					.satisfies((ex) -> {
						assertThat(ex.getLockName()).isEqualTo("stock");
						assertThat(ex.getLockKey()).isEqualTo("sku-9");
						assertThat(ex.getWaitTime()).isEqualTo(Duration.ofSeconds(1));
						assertThat(ex.getMessage()).contains("stock").contains("sku-9").contains("1s");
					});
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
			});
			assertThat(shop.bodyRuns()).isZero();
			assertThat(shop.buy(new Order("sku-9", null)).key()).isEqualTo("sku-9");
		});
	}

	@Test
	void placeholderAndSpelWaits() {
		this.runner.withPropertyValues("test.wait=300ms").run((context) -> {
			Shop shop = context.getBean(Shop.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			whileHeldElsewhere(template, "placeholder", "p", () -> {
				assertThat(waitedMillis(() -> shop.placeholderWait("p"))).isBetween(280L, 1200L);
				assertThat(waitedMillis(() -> shop.spelWait("p", Duration.ofMillis(100)))).isBetween(90L, 1000L);
				assertThat(waitedMillis(() -> shop.spelWaitMillis("p", 200))).isBetween(190L, 1100L);
			});
			assertThat(shop.spelWait("p", Duration.ZERO).key()).isEqualTo("p");
		});
	}

	private static long waitedMillis(Runnable call) {
		long start = System.nanoTime();
		assertThatExceptionOfType(LockAcquisitionException.class).isThrownBy(call::run);
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
	}

	@Test
	void negativeWaitFromSpelIsRejectedPerCall() {
		run((context) -> assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> context.getBean(Shop.class).spelWait("n", Duration.ofSeconds(-1)))
			.withMessageContaining("Shop.spelWait")
			.withMessageContaining("waitTime"));
	}

	@Test
	void reentryKeepsTheTokenAndOutermostReleases() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			Seen outer = shop.outer("r1");
			assertThat(outer.key()).isEqualTo("r1");
			assertThat(heldElsewhere(template, "reentrant", "r1")).isFalse();
		});
	}

	@Test
	void anExceptionReleasesTheLock() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			assertThatThrownBy(() -> shop.fail("f")).isInstanceOf(IllegalStateException.class).hasMessage("boom f");
			assertThat(heldElsewhere(template, "failing", "f")).isFalse();
		});
	}

	@Test
	void severalKeysAreTakenAllOrNone() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			LockTemplate template = context.getBean(LockTemplate.class);
			assertThat(shop.transfer("b", "a")).containsExactly("b", "a");
			assertThat(shop.many(List.of("x", "y", "z"))).isEqualTo(3);
			whileHeldElsewhere(template, "accounts", "z", () -> {
				assertThatExceptionOfType(LockAcquisitionException.class).isThrownBy(() -> shop.many(List.of("x", "y", "z")))
					.satisfies((ex) -> assertThat(ex.getLockKey()).isEqualTo("z"));
				// none of the others was left behind
				assertThat(heldElsewhere(template, "accounts", "x")).isFalse();
				assertThat(heldElsewhere(template, "accounts", "y")).isFalse();
			});
			assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> shop.transfer("a", null))
				.withMessageContaining("'#to'");
		});
	}

	@Test
	void opposingMultiKeyCallsDoNotDeadlock() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			List<CompletableFuture<Object>> calls = new java.util.ArrayList<>();
			for (int i = 0; i < 4; i++) {
				boolean flip = i % 2 == 0;
				calls.add(OtherCaller.run(() -> {
					for (int j = 0; j < 200; j++) {
						try {
							shop.patientTransfer(flip ? "m" : "n", flip ? "n" : "m");
						}
						catch (LockAcquisitionException ex) {
							throw new AssertionError("a waiter timed out: possible deadlock", ex);
						}
					}
					return null;
				}));
			}
			CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
		});
	}

	@Test
	void eachExpressionIsParsedOnceSoSpelCompilesIt() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			LockExpressionEvaluator evaluator = context.getBean(LockOperationSource.class).evaluator();
			long parsedAtStartup = evaluator.parseCount();
			assertThat(isCompiledExpression(shop.compiled("k0"))).as("the first calls run interpreted").isFalse();
			// SpEL compiles an expression after it ran 100 times interpreted, as the same parsed object: an
			// expression parsed (or copied) per call would stay interpreted for ever
			String caller = "";
			for (int i = 1; i <= 300 && !isCompiledExpression(caller); i++) {
				caller = shop.compiled("k" + i);
			}
			assertThat(isCompiledExpression(caller)).as("the key expression runs compiled, called from " + caller).isTrue();
			assertThat(evaluator.parseCount()).isEqualTo(parsedAtStartup);
		});
	}

	/** SpEL's generated classes: {@code org.springframework.expression.spel.generated.*} (Spring 7), {@code spel.*} before. */
	private static boolean isCompiledExpression(String callerClass) {
		return callerClass.startsWith("org.springframework.expression.spel.generated.") || callerClass.startsWith("spel.");
	}

	@Test
	void unannotatedMethodsRunWithoutALock() {
		run((context) -> {
			Shop shop = context.getBean(Shop.class);
			assertThat(AopUtils.isAopProxy(shop)).isTrue();
			assertThat(shop.locked()).as("the probe sees a lock in a locked method").isEqualTo(2);
			assertThat(shop.unlocked()).isZero();
			assertThat(shop.buy("sku-1")).as("an unannotated overload of a locked method").isZero();
		});
	}

	@Test
	void disabledMeansNoBeansAndNoLocking() {
		this.runner.withPropertyValues("distributed-lock.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(LockTemplate.class);
			assertThat(context).doesNotHaveBean(LockOperationSourceAdvisor.class);
			assertThat(AopUtils.isAopProxy(context.getBean(Shop.class))).isFalse();
		});
	}
}
