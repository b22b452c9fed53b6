package io.distlock.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of the core that are not the renewer's: waits of asynchronous acquisitions, and the
 * application's reactions to lost leases ({@code onLost} actions, listeners), which must never run on
 * a renewal thread.
 *
 * <p>On a JVM with virtual threads (21+) every task gets a virtual thread: a waiting acquisition costs
 * no platform thread. Before that, a pool of daemon threads grows to {@value #MAX_PLATFORM_THREADS} and
 * queues beyond: a waiting acquisition blocks one of them for at most its wait time.
 */
final class CoreThreads {

	static final int MAX_PLATFORM_THREADS = 256;

	private static final ExecutorService EXECUTOR = create();

	private CoreThreads() {
	}

	/** Returns the shared executor (never shut down: its threads are daemons or virtual). */
	static ExecutorService executor() {
		return EXECUTOR;
	}

	private static ExecutorService create() {
		try {
			Object builder = MethodHandles.publicLookup()
				.findStatic(Thread.class, "ofVirtual", MethodType.methodType(Class.forName("java.lang.Thread$Builder$OfVirtual")))
				.invoke();
			Class<?> builderType = Class.forName("java.lang.Thread$Builder");
			builder = MethodHandles.publicLookup()
				.findVirtual(builderType, "name", MethodType.methodType(builderType, String.class, long.class))
				.invoke(builder, "distributed-lock-virtual-", 1L);
			ThreadFactory factory = (ThreadFactory) MethodHandles.publicLookup()
				.findVirtual(builderType, "factory", MethodType.methodType(ThreadFactory.class))
				.invoke(builder);
			return (ExecutorService) MethodHandles.publicLookup()
				.findStatic(java.util.concurrent.Executors.class, "newThreadPerTaskExecutor",
						MethodType.methodType(ExecutorService.class, ThreadFactory.class))
				.invoke(factory);
		}
		catch (Throwable noVirtualThreads) {
			ThreadPoolExecutor pool = new ThreadPoolExecutor(MAX_PLATFORM_THREADS, MAX_PLATFORM_THREADS, 30, TimeUnit.SECONDS,
					new LinkedBlockingQueue<>(), daemon("distributed-lock-async"));
			pool.allowCoreThreadTimeOut(true);
			return pool;
		}
	}

	/** Returns a factory of daemon threads named {@code prefix-N}. */
	static ThreadFactory daemon(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}
}
