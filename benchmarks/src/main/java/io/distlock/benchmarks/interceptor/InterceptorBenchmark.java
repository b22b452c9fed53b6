package io.distlock.benchmarks.interceptor;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockHandle;
import io.distlock.core.LockSpec;
import io.distlock.core.LockTemplate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The cost of the {@code @DistributedLocked} interceptor on the in-memory backend, one thread, no
 * contention: what a locked call costs over the same lock taken through {@link LockTemplate}, and over an
 * unlocked call through the same proxy. The interceptor's own cost is {@code annotatedSync} minus
 * {@code templateSync}; the reactive path's is {@code annotatedMono} minus {@code templateAsync} (both
 * acquire without blocking, on the template's threads, then hand the result back).
 *
 * <p>Run with {@code benchmarks/interceptor.sh} (a short run); numbers are average times per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xmx512m" })
public class InterceptorBenchmark {

	private ConfigurableApplicationContext context;

	private Service service;

	private LockTemplate template;

	private LockSpec spec;

	@Setup(Level.Trial)
	public void start() {
		this.context = new SpringApplicationBuilder(Config.class).web(WebApplicationType.NONE).logStartupInfo(false)
			.properties("distributed-lock.backend=in-memory", "logging.level.root=WARN",
					"logging.level.io.distlock.autoconfigure=ERROR")
			.run();
		this.service = this.context.getBean(Service.class);
		this.template = this.context.getBean(LockTemplate.class);
		this.spec = LockSpec.of("bench", "k");
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.context.close();
	}

	/** A call through the proxy of a bean with locked methods, to a method without the annotation. */
	@Benchmark
	public String proxiedUnlocked() {
		return this.service.unlocked("k");
	}

	/** The same lock, taken and released through the template: the core's cost. */
	@Benchmark
	public String templateSync() {
		try (LockHandle handle = this.template.acquire(this.spec)) {
			return handle.key();
		}
	}

	/** A locked synchronous call: core plus interceptor (key evaluation, spec, context binding). */
	@Benchmark
	public String annotatedSync() {
		return this.service.locked("k");
	}

	/** The core's asynchronous acquisition, awaited, then released. */
	@Benchmark
	public String templateAsync() {
		LockHandle handle = this.template.acquireAsync(this.spec).join();
		handle.close();
		return handle.key();
	}

	/** A locked {@code Mono}, subscribed and awaited: acquired per subscription without blocking. */
	@Benchmark
	public String annotatedMono() {
		return this.service.reactive("k").block(Duration.ofSeconds(10));
	}

	/** What awaiting a plain {@code Mono} costs by itself. */
	@Benchmark
	public String plainMono() {
		return Mono.just("k").block(Duration.ofSeconds(10));
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(DistributedLockAutoConfiguration.class)
	static class Config {

		@Bean
		Service service() {
			return new Service();
		}
	}

	/** The locked bean. */
	public static class Service {

		@DistributedLocked(name = "bench", key = "#id")
		public String locked(String id) {
			return id;
		}

		@DistributedLocked(name = "bench", key = "#id")
		public Mono<String> reactive(String id) {
			return Mono.just(id);
		}

		public String unlocked(String id) {
			return id;
		}
	}
}
