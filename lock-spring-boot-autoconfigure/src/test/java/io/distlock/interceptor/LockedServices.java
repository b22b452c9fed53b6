package io.distlock.interceptor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.distlock.annotation.DistributedLocked;
import io.distlock.core.LockContext;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Lazy;

/** Beans with locked methods, shared by the interceptor tests. */
final class LockedServices {

	private LockedServices() {
	}

	record Order(String sku, Customer customer) {
	}

	record Customer(String id) {
	}

	/** What a locked method saw of its lock. */
	record Seen(String name, String key, long token) {

		static Seen now() {
			LockHandle handle = LockContext.current().orElseThrow(() -> new AssertionError("no lock held"));
			return new Seen(handle.name(), handle.key(), handle.fencingToken());
		}
	}

	public static class KeyResolver {

		public String region(String sku) {
			return "eu-" + sku;
		}
	}

	static class Shop {

		final AtomicInteger bodyRuns = new AtomicInteger();

		@Autowired
		@Lazy
		Shop self;

		@DistributedLocked(name = "stock", key = "#order.sku")
		Seen buy(Order order) {
			this.bodyRuns.incrementAndGet();
			return Seen.now();
		}

		@DistributedLocked(name = "customer", key = "#order.customer.id")
		Seen nested(Order order) {
			return Seen.now();
		}

		@DistributedLocked(name = "positional", key = "#p0 + ':' + #a1 + ':' + #root.methodName")
		Seen positional(String a, int b) {
			return Seen.now();
		}

		@DistributedLocked(name = "bean", key = "@keyResolver.region(#sku)")
		Seen bean(String sku) {
			return Seen.now();
		}

		@DistributedLocked
		Seen defaults() {
			return Seen.now();
		}

		@DistributedLocked(name = "stock", key = "#sku")
		Seen nullable(String sku) {
			this.bodyRuns.incrementAndGet();
			return Seen.now();
		}

		@DistributedLocked(name = "placeholder", key = "#sku", waitTime = "${test.wait:150ms}")
		Seen placeholderWait(String sku) {
			return Seen.now();
		}

		@DistributedLocked(name = "placeholder", key = "#sku", waitTime = "#wait")
		Seen spelWait(String sku, Duration wait) {
			return Seen.now();
		}

		@DistributedLocked(name = "placeholder", key = "#sku", waitTime = "#millis", leaseTime = "T(java.time.Duration).ofSeconds(5)")
		Seen spelWaitMillis(String sku, long millis) {
			return Seen.now();
		}

		@DistributedLocked(name = "reentrant", key = "#id")
		Seen outer(String id) {
			Seen outer = Seen.now();
			Seen inner = this.self.inner(id);
			if (inner.token() != outer.token()) {
				throw new AssertionError("re-entry changed the token: " + outer + " / " + inner);
			}
			return outer;
		}

		@DistributedLocked(name = "reentrant", key = "#id", waitTime = "0")
		Seen inner(String id) {
			return Seen.now();
		}

		@DistributedLocked(name = "failing", key = "#id")
		void fail(String id) {
			throw new IllegalStateException("boom " + id);
		}

		@DistributedLocked(name = "accounts", keys = { "#from", "#to" }, waitTime = "200ms")
		List<String> transfer(String from, String to) {
			return List.of(from, to);
		}

		@DistributedLocked(name = "accounts", keys = { "#from", "#to" }, waitTime = "30s")
		void patientTransfer(String from, String to) {
		}

		@DistributedLocked(name = "accounts", keys = "#ids", waitTime = "200ms")
		int many(List<String> ids) {
			return ids.size();
		}

		int bodyRuns() {
			return this.bodyRuns.get();
		}

		@Autowired
		@Lazy
		LockTemplate template;

		/** Not annotated, but it overloads an annotated method: it must run without any lock. */
		int buy(String sku) {
			return locksHeldNow();
		}

		int unlocked() {
			return locksHeldNow();
		}

		/** The control: the same probe, in a locked method. */
		@DistributedLocked(name = "probe")
		int locked() {
			return locksHeldNow();
		}

		private int locksHeldNow() {
			return this.template.heldLocks().size() + (LockContext.current().isPresent() ? 1 : 0);
		}

		@DistributedLocked(name = "compiled", key = "T(io.distlock.interceptor.CompileProbe).key(#p0)")
		String compiled(String id) {
			return CompileProbe.lastCaller();
		}
	}
}
