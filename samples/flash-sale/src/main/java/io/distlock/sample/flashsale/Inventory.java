package io.distlock.sample.flashsale;

import java.time.Duration;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The stock, in the database that every instance shares (tables {@code stock} and {@code sale}, see
 * {@code schema.sql}). Nothing here locks: {@link #sellOne} is the classic read-check-write race and is safe only
 * when callers exclude each other per SKU, which {@link Shop} does with a distributed lock.
 */
@Repository
public class Inventory {

	private final JdbcClient jdbc;

	Inventory(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Sells one item: reads the stock, takes the payment (which takes {@code paymentTime}), writes the stock back
	 * decremented and records the sale. Two unlocked callers that read the same stock both sell: an oversell.
	 * @param fencingToken the fencing token of the caller's lock, or {@code null} when it holds none; with a
	 * token, the write succeeds only if no newer holder has written (a storage-side fencing check)
	 * @throws SoldOutException if no stock is left
	 * @throws StaleWriteException if a newer lock holder has written the stock since this caller's lease expired
	 */
	@Transactional
	public Receipt sellOne(Order order, Long fencingToken, Duration paymentTime, String soldBy) {
		int left = this.jdbc.sql("SELECT quantity FROM stock WHERE sku = ?")
			.param(order.sku())
			.query(Integer.class)
			.optional()
			.orElse(0);
		if (left <= 0) {
			throw new SoldOutException(order.sku());
		}
		pay(paymentTime);
		if (fencingToken == null) {
			this.jdbc.sql("UPDATE stock SET quantity = ? WHERE sku = ?").params(left - 1, order.sku()).update();
		}
		else {
			// The database keeps the highest token written and refuses an older one, so a holder paused past its
			// lease cannot overwrite what the next holder wrote.
			int updated = this.jdbc
				.sql("UPDATE stock SET quantity = ?, fencing_token = ? WHERE sku = ? AND fencing_token < ?")
				.params(left - 1, fencingToken, order.sku(), fencingToken)
				.update();
			if (updated == 0) {
				throw new StaleWriteException(order.sku(), fencingToken);
			}
		}
		this.jdbc.sql("INSERT INTO sale (sku, buyer, sold_by, fencing_token) VALUES (?, ?, ?, ?)")
			.params(order.sku(), order.buyer(), soldBy, fencingToken)
			.update();
		return new Receipt(order.sku(), order.buyer(), left - 1, fencingToken, soldBy);
	}

	/** Puts {@code quantity} items of {@code sku} on sale and forgets its past sales; keeps its fencing token. */
	@Transactional
	public StockStatus restock(String sku, int quantity) {
		this.jdbc.sql("DELETE FROM sale WHERE sku = ?").param(sku).update();
		int updated = this.jdbc.sql("UPDATE stock SET initial_quantity = ?, quantity = ? WHERE sku = ?")
			.params(quantity, quantity, sku)
			.update();
		if (updated == 0) {
			insert(sku, quantity);
		}
		return status(sku).orElseThrow();
	}

	/** Puts {@code sku} on sale unless it already is (several instances may start at once). */
	public void seedIfAbsent(String sku, int quantity) {
		if (status(sku).isEmpty()) {
			try {
				insert(sku, quantity);
			}
			catch (DuplicateKeyException ex) {
				// another instance seeded it first
			}
		}
	}

	/** Returns the stock and sales of {@code sku}, empty if it was never on sale. */
	public Optional<StockStatus> status(String sku) {
		return this.jdbc.sql("SELECT initial_quantity, quantity, (SELECT COUNT(*) FROM sale WHERE sale.sku = stock.sku) AS sold "
				+ "FROM stock WHERE sku = ?")
			.param(sku)
			.query((rs, row) -> new StockStatus(sku, rs.getInt("initial_quantity"), rs.getInt("quantity"), rs.getInt("sold")))
			.optional();
	}

	private void insert(String sku, int quantity) {
		this.jdbc.sql("INSERT INTO stock (sku, initial_quantity, quantity, fencing_token) VALUES (?, ?, ?, 0)")
			.params(sku, quantity, quantity)
			.update();
	}

	private static void pay(Duration paymentTime) {
		try {
			Thread.sleep(paymentTime.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while taking the payment", ex);
		}
	}
}
