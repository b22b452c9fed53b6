package io.distlock.sample.flashsale.demo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.distlock.sample.flashsale.StockStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo as a newcomer runs it: three instances of the shop, each its own JVM, on one H2 server that holds the
 * stock and the jdbc backend's lock table; sixty buyers at once, with the lock and past it.
 */
class FlashSaleDemoTest {

	@Test
	@Timeout(value = 4, unit = TimeUnit.MINUTES)
	void instancesSharingTheJdbcBackendNeverOversellButOversellPastTheLock() throws Exception {
		ByteArrayOutputStream printed = new ByteArrayOutputStream();
		FlashSaleDemo.Report report = FlashSaleDemo.run(DemoOptions.parse("--instances=3", "--stock=10", "--buyers=60"),
				new PrintStream(printed, true, StandardCharsets.UTF_8));
		String output = printed.toString(StandardCharsets.UTF_8);

		FlashSaleDemo.Round locked = report.withLock();
		StockStatus sale = locked.status();
		assertThat(locked.lockBackend()).as(output).isEqualTo("jdbc");
		assertThat(locked.outcomes().failed()).as(output).isZero();
		assertThat(locked.oversold()).as(output).isZero();
		// no lost update either: every item is either sold or left, and every 201 answer is a recorded sale
		assertThat(sale.sold() + sale.left()).as(output).isEqualTo(sale.stock());
		assertThat(locked.outcomes().sold()).as(output).isEqualTo(sale.sold()).isPositive();

		// 60 purchases in flight at once past the lock, each reading the stock 50ms before writing it back: some
		// read the same stock, which makes the unlocked round oversell every time
		FlashSaleDemo.Round unlocked = report.withoutLock();
		assertThat(unlocked.outcomes().failed()).as(output).isZero();
		assertThat(unlocked.oversold()).as(output).isPositive();
		assertThat(output).contains("oversold", "with @DistributedLocked", "without the lock");
	}
}
