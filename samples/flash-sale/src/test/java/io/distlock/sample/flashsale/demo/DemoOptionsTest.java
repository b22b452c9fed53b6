package io.distlock.sample.flashsale.demo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DemoOptionsTest {

	@Test
	void readsItsOwnArgumentsAndPassesTheRestToTheInstances() {
		DemoOptions options = DemoOptions.parse("--demo", "--instances=4", "--stock=5", "--buyers=40",
				"--spring.profiles.active=redis", "--flash-sale.payment-time=80ms");
		assertThat(options.instances()).isEqualTo(4);
		assertThat(options.stock()).isEqualTo(5);
		assertThat(options.buyers()).isEqualTo(40);
		assertThat(options.instanceArgs()).containsExactly("--spring.profiles.active=redis", "--flash-sale.payment-time=80ms");
		assertThat(options.hasOwnDatabase()).isFalse();
	}

	@Test
	void theDemoStartsNoDatabaseWhenTheInstancesAreGivenOne() {
		assertThat(DemoOptions.parse("--spring.profiles.active=redis,postgresql").hasOwnDatabase()).isTrue();
		assertThat(DemoOptions.parse("--spring.datasource.url=jdbc:postgresql://db/shop").hasOwnDatabase()).isTrue();
	}

	@Test
	void badArgumentsAreNamed() {
		assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--instances=three"))
			.withMessage("--instances must be a number, was 'three'");
		assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--stock=10", "--buyers=10"))
			.withMessage("--buyers must be more than --stock (10), was 10");
		assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--instances=0"))
			.withMessageStartingWith("--instances must be at least 1");
	}

	/** Spring Boot reads a property given twice on the command line as both values joined by a comma. */
	@Test
	void anInstancePropertyTheUserGivesIsPassedOnceWithTheUsersValue() {
		DemoOptions options = DemoOptions.parse("--server.port=8089", "--flash-sale.payment-time=80ms");
		assertThat(FlashSaleDemo.instanceArgs(2, null, options)).containsExactly("--flash-sale.demo.instance=true",
				"--flash-sale.instance-name=instance-2", "--server.port=8089", "--flash-sale.payment-time=80ms");
	}
}
