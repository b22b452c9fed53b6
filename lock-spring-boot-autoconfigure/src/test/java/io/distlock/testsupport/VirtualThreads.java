package io.distlock.testsupport;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Virtual threads where the JVM has them (21+), found reflectively so the tests compile on 17. */
public final class VirtualThreads {

	private VirtualThreads() {
	}

	/** Returns whether this JVM runs virtual threads. */
	public static boolean available() {
		return Runtime.version().feature() >= 21;
	}

	/** Returns a thread-per-task executor: virtual threads on 21+, platform threads on 17. */
	public static ExecutorService perTaskExecutor() {
		if (available()) {
			try {
				return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException(ex);
			}
		}
		return Executors.newCachedThreadPool();
	}
}
