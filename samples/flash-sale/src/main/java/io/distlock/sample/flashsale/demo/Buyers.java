package io.distlock.sample.flashsale.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A crowd of buyers that order one item each at the same moment, spread round-robin over the instances, as the
 * opening second of a flash sale does.
 */
final class Buyers {

	private Buyers() {
	}

	/**
	 * How the shop answered.
	 *
	 * @param sold 201: an item was sold
	 * @param soldOut 409: no stock left
	 * @param busy 503: the SKU's lock stayed taken for the whole wait
	 * @param failed any other answer, or no answer
	 * @param firstFailure what the first failure was, {@code null} if none
	 */
	record Outcomes(int sold, int soldOut, int busy, int failed, String firstFailure) {
	}

	static Outcomes buy(ShopClient shop, List<Integer> ports, String path, String sku, int buyers) throws InterruptedException {
		ExecutorService pool = Executors.newFixedThreadPool(buyers);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Integer>> answers = new ArrayList<>();
			for (int i = 0; i < buyers; i++) {
				int port = ports.get(i % ports.size());
				String buyer = "buyer-" + (i + 1);
				answers.add(pool.submit(() -> {
					start.await();
					return shop.order(port, path, sku, buyer);
				}));
			}
			start.countDown();
			int sold = 0;
			int soldOut = 0;
			int busy = 0;
			int failed = 0;
			String firstFailure = null;
			for (Future<Integer> answer : answers) {
				String failure;
				try {
					int status = answer.get();
					switch (status) {
						case 201 -> sold++;
						case 409 -> soldOut++;
						case 503 -> busy++;
						default -> failed++;
					}
					failure = (status == 201 || status == 409 || status == 503) ? null : "HTTP " + status;
				}
				catch (ExecutionException ex) {
					failed++;
					failure = ex.getCause().toString();
				}
				if (firstFailure == null) {
					firstFailure = failure;
				}
			}
			return new Outcomes(sold, soldOut, busy, failed, firstFailure);
		}
		finally {
			pool.shutdownNow();
		}
	}
}
