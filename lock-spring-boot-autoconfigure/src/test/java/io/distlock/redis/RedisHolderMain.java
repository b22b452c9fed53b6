package io.distlock.redis;

import java.time.Duration;

import io.distlock.testsupport.HolderProcess;

/** A child application instance on the Redis backend. Arguments: Redis port, lease in ms. */
public final class RedisHolderMain {

	public static void main(String[] args) throws Exception {
		HolderProcess.run(RedisTestConnections.provider(Integer.parseInt(args[0]), Duration.ofSeconds(2)),
				Duration.ofMillis(Long.parseLong(args[1])));
	}
}
