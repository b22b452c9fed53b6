package io.distlock.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.springframework.integration.support.locks.LockRegistry;

/** Spring Integration's registries all hand out a {@link Lock} per key. */
final class PeerLocks {

	private PeerLocks() {
	}

	static LockClient.Locker of(LockRegistry<?> registry) {
		return (key, wait) -> {
			Lock lock = registry.obtain(key);
			if (!lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
				throw LockClient.notAcquired(key, wait);
			}
			return lock::unlock;
		};
	}
}
