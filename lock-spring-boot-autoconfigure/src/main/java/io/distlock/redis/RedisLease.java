package io.distlock.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.distlock.core.OwnedLease;
import io.distlock.core.RenewalResult;
import org.jspecify.annotations.Nullable;

/**
 * One acquisition of a Redis lock, owned by its unique owner string, not by a thread.
 *
 * <ul>
 * <li>Renewal goes through {@link RedisLockProvider#renewAll}: an owner-checked {@code PEXPIRE}.</li>
 * <li>Release is an owner-checked delete; {@link #releaseAfter(Duration)} instead leaves the lock for
 * the hold time by the server's clock and changes its value, so that no renewal of this owner, even
 * one still on its way, can extend it.</li>
 * <li>Loss: when no renewal has been confirmed for 3/4 of the lease (by this JVM's monotonic clock,
 * from the moment the last confirmed request was sent, which is no later than the server started
 * that lease), the lease is declared lost: a release is queued behind any pending renewal and the
 * {@link #onLost(Consumer)} callback runs, well before the server could hand the lock to anyone else.</li>
 * </ul>
 */
final class RedisLease extends OwnedLease {

	static final int LOSS_FRACTION_NUMERATOR = 3;

	static final int LOSS_FRACTION_DENOMINATOR = 4;

	private static final int HELD = 0;

	private static final int LOST = 1;

	private static final int ENDED = 2;

	private final RedisLockProvider provider;

	private final RedisLockKeys keys;

	private final String owner;

	private final AtomicInteger state = new AtomicInteger(HELD);

	private volatile long confirmedAtNanos;

	private volatile long lossAfterNanos;

	private volatile @Nullable Consumer<String> onLost;

	private volatile @Nullable String lostReason;

	RedisLease(RedisLockProvider provider, RedisLockKeys keys, String owner, long token, long sentAtNanos, Duration leaseTime) {
		super(token, sentAtNanos);
		this.provider = provider;
		this.keys = keys;
		this.owner = owner;
		this.confirmedAtNanos = sentAtNanos;
		this.lossAfterNanos = lossAfter(leaseTime);
	}

	private static long lossAfter(Duration leaseTime) {
		return leaseTime.toNanos() / LOSS_FRACTION_DENOMINATOR * LOSS_FRACTION_NUMERATOR;
	}

	RedisLockProvider provider() {
		return this.provider;
	}

	String lockKey() {
		return this.keys.lockKey();
	}

	String owner() {
		return this.owner;
	}

	/** Whether renewals may still be sent: neither lost nor released. */
	boolean isLive() {
		return this.state.get() == HELD;
	}

	boolean isPastLossDeadline(long nowNanos) {
		return nowNanos - this.confirmedAtNanos >= this.lossAfterNanos;
	}

	/** A renewal for {@code leaseTime} was confirmed; it had been sent at {@code sentAtNanos}. */
	void renewed(long sentAtNanos, Duration leaseTime) {
		this.lossAfterNanos = lossAfter(leaseTime);
		if (sentAtNanos - this.confirmedAtNanos > 0) {
			this.confirmedAtNanos = sentAtNanos;
		}
	}

	/** The server says the lock is not this owner's any more. */
	void refused() {
		if (this.state.compareAndSet(HELD, LOST)) {
			this.lostReason = "Redis reports that the lock is no longer owned by this holder (it expired, or was deleted)";
		}
	}

	/**
	 * No renewal was confirmed in time: queue an owner-checked release behind whatever renewal is still
	 * on its way (it never blocks), then tell the holder.
	 */
	void declareLost() {
		if (!this.state.compareAndSet(HELD, LOST)) {
			return;
		}
		this.lostReason = "no renewal was confirmed by Redis within " + (this.lossAfterNanos / 1_000_000) + " ms (3/4 of the lease)";
		this.provider.releaseBehindPendingCalls(this);
		notifyLost();
	}

	private void notifyLost() {
		Consumer<String> callback = this.onLost;
		if (callback != null) {
			callback.accept(this.lostReason);
		}
	}

	@Override
	public void onLost(Consumer<String> callback) {
		this.onLost = callback;
		if (this.state.get() == LOST && this.lostReason != null) {
			callback.accept(this.lostReason);
		}
	}

	@Override
	protected boolean renewIfOwner(Duration leaseTime) throws Exception {
		RenewalResult result = this.provider.renewAll(java.util.List.of(this), leaseTime).get(0);
		if (result.error() != null) {
			throw result.error();
		}
		return result.isRenewed();
	}

	@Override
	protected void releaseIfOwner() {
		this.state.set(ENDED);
		this.provider.release(this.keys, this.owner);
	}

	@Override
	public boolean releaseAfter(Duration holdFor) throws Exception {
		if (holdFor.isNegative() || holdFor.isZero()) {
			release();
			return true;
		}
		// from here on no renewal may be sent; one already on its way finds the changed value and is refused
		this.state.set(ENDED);
		this.provider.releaseAfter(this.keys, this.owner, holdFor);
		return true;
	}
}
