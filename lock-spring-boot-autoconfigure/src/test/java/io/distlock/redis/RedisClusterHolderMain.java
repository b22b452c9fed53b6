package io.distlock.redis;

import java.time.Duration;

import io.distlock.testsupport.HolderProcess;

/**
 * A child application instance on a Redis Cluster, configured through {@code spring.data.redis.cluster.nodes}.
 * Arguments: the nodes ({@code host:port,...}), lease in ms.
 */
public final class RedisClusterHolderMain {

	public static void main(String[] args) throws Exception {
		RedisClusterOrSentinelApp app = RedisClusterOrSentinelApp.start(RedisClusterLockProviderTest.properties(args[0]));
		HolderProcess.run(app.provider(), Duration.ofMillis(Long.parseLong(args[1])));
	}
}
