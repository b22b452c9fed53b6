package io.distlock.aot;

import java.lang.reflect.Method;
import java.util.List;

import io.distlock.annotation.DistributedLocked;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/** The runtime hints that {@code META-INF/spring/aot.factories} contributes, checked with {@link RuntimeHintsPredicates}. */
class DistributedLockRuntimeHintsTest {

	@Test
	void annotationAndSchemaScriptsAreRegistered() throws Exception {
		RuntimeHints hints = new RuntimeHints();
		List<RuntimeHintsRegistrar> registrars = AotServices.factories().load(RuntimeHintsRegistrar.class).asList();
		assertThat(registrars).hasAtLeastOneElementOfType(DistributedLockRuntimeHints.class);
		registrars.forEach((registrar) -> registrar.registerHints(hints, getClass().getClassLoader()));

		assertThat(RuntimeHintsPredicates.reflection().onType(DistributedLocked.class).withMemberCategory(MemberCategory.INVOKE_PUBLIC_METHODS))
			.accepts(hints);
		for (Method attribute : DistributedLocked.class.getDeclaredMethods()) {
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(attribute)).as(attribute.getName()).accepts(hints);
		}
		Resource[] scripts = new PathMatchingResourcePatternResolver().getResources("classpath*:io/distlock/jdbc/schema-*.sql");
		assertThat(scripts).hasSizeGreaterThanOrEqualTo(3);
		for (Resource script : scripts) {
			assertThat(RuntimeHintsPredicates.resource().forResource("io/distlock/jdbc/" + script.getFilename()))
				.as(script.getFilename()).accepts(hints);
		}
		assertThat(RuntimeHintsPredicates.resource().forResource("io/distlock/jdbc/other.sql")).rejects(hints);
	}

	@Test
	void lockedMethodsOfBeansAndTheTypesTheirExpressionsReadAreRegistered() throws Exception {
		assertThat(AotServices.factories().load(BeanRegistrationAotProcessor.class).asList())
			.hasAtLeastOneElementOfType(LockedMethodsAotProcessor.class);
		GenericApplicationContext context = new GenericApplicationContext();
		context.registerBean("stock", Stock.class);
		context.registerBean("unlocked", Unlocked.class);
		TestGenerationContext generation = new TestGenerationContext();
		new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
		RuntimeHints hints = generation.getRuntimeHints();

		Method buy = Stock.class.getMethod("buy", Order.class);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(buy)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Order.class).withMemberCategory(MemberCategory.INVOKE_PUBLIC_METHODS))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Stock.class.getMethod("count"))).rejects(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Unlocked.class.getMethod("work", Order.class)))
			.rejects(hints);
	}

	/** What a key expression reads: {@code #order.sku}. */
	public record Order(String sku) {
	}

	public static class Stock {

		@DistributedLocked(name = "stock", key = "#order.sku")
		public String buy(Order order) {
			return order.sku();
		}

		public int count() {
			return 0;
		}
	}

	public static class Unlocked {

		public String work(Order order) {
			return order.sku();
		}
	}
}
