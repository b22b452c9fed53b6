package io.distlock.local;

import io.distlock.core.LockProvider;
import io.distlock.testsupport.AbstractLockProviderContractTest;

/** The contract on the in-memory backend: every "instance" shares one JVM-wide store. */
class InMemoryLockProviderTest extends AbstractLockProviderContractTest {

	@Override
	protected void deleteLockRecord(Instance holder, String name, String key) {
		this.shared.evict(name, key);
	}


	private final InMemoryLockProvider shared = new InMemoryLockProvider();

	@Override
	protected LockProvider createProvider() {
		return this.shared;
	}
}
