package io.distlock.testsupport;

import java.time.Duration;

import io.distlock.local.InMemoryHolderMain;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The cross-process harness itself: a child holds, answers, and dies on kill. */
class ChildJvmTest {

	@Test
	void childHoldsReleasesAndCanBeKilled() throws Exception {
		try (ChildJvm child = ChildJvm.start(InMemoryHolderMain.class)) {
			child.await("READY", Duration.ofSeconds(30));
			child.send("hold harness k");
			assertThat(Long.parseLong(child.await("ACQUIRED", Duration.ofSeconds(10)).split(" ")[1])).isPositive();
			child.pause();
			child.resume();
			child.send("release");
			assertThat(child.await("RELEASED", Duration.ofSeconds(10))).isEqualTo("RELEASED true");
			child.kill();
			assertThat(child.output()).contains("READY");
		}
	}
}
