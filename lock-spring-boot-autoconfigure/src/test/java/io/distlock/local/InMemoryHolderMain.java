package io.distlock.local;

import java.time.Duration;

import io.distlock.testsupport.HolderProcess;

/** A child instance on the in-memory backend: only for testing the cross-process harness itself. */
public final class InMemoryHolderMain {

	public static void main(String[] args) throws Exception {
		HolderProcess.run(new InMemoryLockProvider(), Duration.ofSeconds(2));
	}
}
