package io.distlock.interceptor;

import io.distlock.core.LockTemplate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Fails startup when a {@code @DistributedLocked(fair = true)} method meets a backend that cannot grant
 * fair locks, naming the method and the backend. Runs once every singleton exists (so the backend is
 * known without creating it early from the proxy machinery); methods of beans created later are checked
 * when they are first read.
 */
public class FairLockCheck implements SmartInitializingSingleton {

	private final LockOperationSource source;

	private final ObjectProvider<LockTemplate> template;

	/** Creates a check of the operations {@code source} reads against {@code template}'s backend. */
	public FairLockCheck(LockOperationSource source, ObjectProvider<LockTemplate> template) {
		this.source = source;
		this.template = template;
	}

	@Override
	public void afterSingletonsInstantiated() {
		LockTemplate lockTemplate = this.template.getIfAvailable();
		if (lockTemplate != null) {
			this.source.checkFairLocks(lockTemplate.getProvider().backendName(), lockTemplate.supportsFairLocks());
		}
	}
}
