package io.distlock.sample.scheduledreport.demo;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DemoOptionsTest {

	@Test
	void readsItsOwnArgumentsAndPassesTheRestToTheInstances() {
		DemoOptions options = DemoOptions.parse("--demo", "--instances=4", "--windows=10", "--window=3s", "--skew=200ms",
				"--spring.profiles.active=redis");
		assertThat(options.instances()).isEqualTo(4);
		assertThat(options.windows()).isEqualTo(10);
		assertThat(options.cron()).isEqualTo("*/3 * * * * *");
		assertThat(options.minHoldTime()).isEqualTo(Duration.ofMillis(2100));
		assertThat(options.clockOffset(1)).isZero();
		assertThat(options.clockOffset(4)).isEqualTo(Duration.ofMillis(-600));
		assertThat(options.spread()).isEqualTo(Duration.ofMillis(600));
		assertThat(options.instanceArgs()).containsExactly("--spring.profiles.active=redis");
		assertThat(options.hasOwnDatabase()).isFalse();
	}

	@Test
	void theDemoStartsNoDatabaseWhenTheInstancesAreGivenOne() {
		assertThat(DemoOptions.parse("--spring.profiles.active=redis,postgresql").hasOwnDatabase()).isTrue();
		assertThat(DemoOptions.parse("--spring.datasource.url=jdbc:postgresql://db/reports").hasOwnDatabase()).isTrue();
	}

	@Test
	void countsWholeWindowsAfterTheWarmUp() {
		DemoOptions options = DemoOptions.parse("--windows=3", "--window=2s");
		assertThat(ScheduledReportDemo.countedWindows(Instant.parse("2025-03-01T10:20:31.500Z"), options)).containsExactly(
				Instant.parse("2025-03-01T10:20:36Z"), Instant.parse("2025-03-01T10:20:38Z"), Instant.parse("2025-03-01T10:20:40Z"));
	}

	@Test
	void badArgumentsAreNamed() {
		assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--windows=six"))
			.withMessage("--windows must be a number, was 'six'");
		assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--window=7s"))
			.withMessageStartingWith("--window must be a whole number of seconds that divides a minute")
			.withMessageEndingWith("was 7s");
		assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--skew=soon"))
			.withMessage("--skew must be a duration such as 2s or 250ms, was 'soon'");
		assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--skew=1s", "--window=2s"))
			.withMessage("--skew times the instances after the first must be at most a quarter of --window (2s), was 1s x 2");
		assertThat(DemoOptions.parse("--skew=250ms", "--window=2s").minHoldTime()).isEqualTo(Duration.ofMillis(1500));
	}
}
