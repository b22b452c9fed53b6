package io.distlock.actuate;

import java.time.Duration;
import java.util.List;

import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.autoconfigure.DistributedLockMetricsAutoConfiguration;
import io.distlock.core.LockTemplate;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a tracing bridge (micrometer-tracing-test's {@link SimpleTracer} behind Spring Boot's
 * {@code ObservationRegistry}), acquiring and holding a lock are spans in the caller's trace: children of
 * the span that was current when the lock was requested, with the key as a span value.
 */
class LockTracingTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, DistributedLockAutoConfiguration.class,
				DistributedLockMetricsAutoConfiguration.class))
		.withUserConfiguration(Tracing.class);

	@Test
	void acquireAndHeldSpansAreChildrenOfTheCallersSpan() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(ObservationLockEventListener.class);
			SimpleTracer tracer = context.getBean(SimpleTracer.class);
			ObservationRegistry observations = context.getBean(ObservationRegistry.class);
			LockTemplate locks = context.getBean(LockTemplate.class);

			String result = Observation.createNotStarted("checkout", observations)
				.observe(() -> locks.execute("orders", "42", Duration.ofSeconds(1), () -> "sold"));
			assertThat(result).isEqualTo("sold");

			SimpleSpan caller = span(tracer, "checkout");
			SimpleSpan acquire = span(tracer, "distributed.lock.acquire");
			SimpleSpan held = span(tracer, "distributed.lock.held");
			assertThat(acquire.getTraceId()).isEqualTo(caller.getTraceId());
			assertThat(acquire.getParentId()).isEqualTo(caller.getSpanId());
			assertThat(held.getTraceId()).isEqualTo(caller.getTraceId());
			assertThat(held.getParentId()).isEqualTo(caller.getSpanId());
			assertThat(acquire.getTags()).containsEntry("name", "orders").containsEntry("backend", "in-memory")
				.containsEntry("outcome", "acquired").containsEntry("distributed.lock.key", "42");
			assertThat(held.getTags()).containsEntry("name", "orders").containsEntry("distributed.lock.key", "42")
				.doesNotContainKey("outcome");
			// the hold begins when the wait ends, and ends before the caller's span does
			assertThat(held.getStartTimestamp()).isAfterOrEqualTo(acquire.getEndTimestamp());
			assertThat(held.getEndTimestamp()).isBeforeOrEqualTo(caller.getEndTimestamp());
		});
	}

	@Test
	void aTimedOutAcquisitionIsASpanWithItsOutcome() {
		this.runner.run((context) -> {
			SimpleTracer tracer = context.getBean(SimpleTracer.class);
			ObservationRegistry observations = context.getBean(ObservationRegistry.class);
			LockTemplate locks = context.getBean(LockTemplate.class);
			locks.run("report", "", Duration.ZERO, () -> assertThat(AbstractLockMetersTest.elsewhere(() -> Observation
				.createNotStarted("nightly", observations)
				.observe(() -> locks.tryAcquire("report", "", Duration.ofMillis(50))))).isEmpty());

			SimpleSpan caller = span(tracer, "nightly");
			List<SimpleSpan> acquires = spans(tracer, "distributed.lock.acquire");
			assertThat(acquires).filteredOn((span) -> "timeout".equals(span.getTags().get("outcome")))
				.singleElement()
				.satisfies((span) -> assertThat(span.getParentId()).isEqualTo(caller.getSpanId()));
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class Tracing {

		@Bean
		SimpleTracer tracer() {
			return new SimpleTracer();
		}

		@Bean
		DefaultTracingObservationHandler tracingObservationHandler(SimpleTracer tracer) {
			return new DefaultTracingObservationHandler(tracer);
		}
	}

	private static SimpleSpan span(SimpleTracer tracer, String name) {
		List<SimpleSpan> spans = spans(tracer, name);
		assertThat(spans).as("spans named %s among %s", name, tracer.getSpans()).hasSize(1);
		return spans.get(0);
	}

	private static List<SimpleSpan> spans(SimpleTracer tracer, String name) {
		return tracer.getSpans().stream().filter((span) -> name.equals(span.getName())).toList();
	}
}
