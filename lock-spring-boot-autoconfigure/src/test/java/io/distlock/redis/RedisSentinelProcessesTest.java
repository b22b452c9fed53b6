package io.distlock.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisConnectionException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The Sentinel deployment's waits. During a failover Sentinel sends {@code CLIENT KILL TYPE normal}
 * to the replica it promotes, so a test's own inspection connection can see its command in flight
 * fail with "Connection reset by peer" (a CI run did, in {@code awaitFailover}): a wait must read
 * that as "not yet", not end the test.
 */
class RedisSentinelProcessesTest {

	@Test
	void aWaitGoesOnThroughAConnectionReset() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		RedisSentinelProcesses.awaitCondition(() -> {
			if (calls.incrementAndGet() == 1) {
				throw new RedisConnectionException("recvAddress(..) failed with error(-104): Connection reset by peer");
			}
			return true;
		}, "a condition behind a reset connection");
		assertThat(calls).hasValue(2);
	}

	@Test
	void aWaitThatTimesOutNamesTheLastError() {
		assertThatIllegalStateException()
			.isThrownBy(() -> RedisSentinelProcesses.awaitCondition(() -> {
				throw new RedisConnectionException("Connection refused");
			}, Duration.ofMillis(200), "an unreachable server"))
			.withMessageContaining("an unreachable server")
			.havingCause()
			.withMessage("Connection refused");
	}

}
