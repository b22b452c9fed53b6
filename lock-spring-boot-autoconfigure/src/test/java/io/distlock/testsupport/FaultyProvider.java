package io.distlock.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.distlock.core.LockLease;
import io.distlock.core.LockProvider;
import io.distlock.core.LockRequest;
import io.distlock.core.RenewalResult;

/**
 * A real provider with faults switched on and off by the test: renewals that fail, hang or are slow,
 * and acquisitions that take longer. Counts the renewal round trips. Everything else goes to the real
 * backend, so what the core does with the faults is observed against a real lock.
 */
public final class FaultyProvider implements LockProvider {

	/** What renewals do. */
	public enum Renewals {
		/** Passed to the backend. */
		WORK,
		/** Fail with an exception (backend unreachable). */
		FAIL,
		/** Block until {@link FaultyProvider#unblock()} (backend hangs). */
		HANG
	}

	private final LockProvider delegate;

	private final AtomicInteger renewCalls = new AtomicInteger();

	private final AtomicInteger renewedLeases = new AtomicInteger();

	private volatile Renewals renewals = Renewals.WORK;

	private volatile Duration renewDelay = Duration.ZERO;

	private volatile Duration acquireDelay = Duration.ZERO;

	private volatile CountDownLatch hang = new CountDownLatch(1);

	private final Map<LockLease, String> keys = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

	private volatile String failingKey;

	public FaultyProvider(LockProvider delegate) {
		this.delegate = delegate;
	}

	public FaultyProvider renewals(Renewals renewals) {
		this.renewals = renewals;
		return this;
	}

	/** Each renewal round trip takes this long (a slow backend). */
	public FaultyProvider renewDelay(Duration delay) {
		this.renewDelay = delay;
		return this;
	}

	/** Each acquisition takes this long after it was granted (a slow answer). */
	public FaultyProvider acquireDelay(Duration delay) {
		this.acquireDelay = delay;
		return this;
	}

	/** Renewals of the leases of {@code key} fail (that lock's backend node is unreachable); others work. */
	public FaultyProvider failKey(String key) {
		this.failingKey = key;
		return this;
	}

	/** Releases renewals blocked by {@link Renewals#HANG}. */
	public void unblock() {
		this.hang.countDown();
		this.hang = new CountDownLatch(1);
	}

	/** Returns the number of renewal round trips ({@link #renewAll} calls) so far. */
	public int renewCalls() {
		return this.renewCalls.get();
	}

	/** Returns the number of leases renewed so far. */
	public int renewedLeases() {
		return this.renewedLeases.get();
	}

	@Override
	public Optional<LockLease> acquire(LockRequest request) throws InterruptedException {
		Optional<LockLease> lease = this.delegate.acquire(request);
		lease.ifPresent((l) -> this.keys.put(l, request.key()));
		if (!this.acquireDelay.isZero()) {
			Thread.sleep(this.acquireDelay.toMillis());
		}
		return lease;
	}

	@Override
	public List<RenewalResult> renewAll(List<? extends LockLease> leases, Duration leaseTime) {
		this.renewCalls.incrementAndGet();
		try {
			if (!this.renewDelay.isZero()) {
				Thread.sleep(this.renewDelay.toMillis());
			}
			switch (this.renewals) {
				case FAIL -> throw new IllegalStateException("backend unreachable (injected)");
				case HANG -> this.hang.await();
				default -> {
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		String failing = this.failingKey;
		List<RenewalResult> results = new java.util.ArrayList<>(this.delegate.renewAll(leases, leaseTime));
		for (int i = 0; i < leases.size(); i++) {
			if (failing != null && failing.equals(this.keys.get(leases.get(i)))) {
				results.set(i, RenewalResult.failed(new IllegalStateException("backend unreachable for " + failing + " (injected)")));
			}
		}
		this.renewedLeases.addAndGet((int) results.stream().filter(RenewalResult::isRenewed).count());
		return results;
	}

	@Override
	public String backendName() {
		return this.delegate.backendName();
	}

	@Override
	public boolean supportsFairLocks() {
		return this.delegate.supportsFairLocks();
	}

	@Override
	public Map<String, Object> checkHealth() throws Exception {
		return this.delegate.checkHealth();
	}
}
