package io.distlock.sample.flashsale;

/**
 * What the database says about one SKU.
 *
 * @param sku the SKU
 * @param stock the stock it was put on sale with
 * @param left the stock left
 * @param sold how many items were sold (rows in the {@code sale} table)
 */
public record StockStatus(String sku, int stock, int left, int sold) {

	/** Returns how many items were sold that did not exist. */
	public int oversold() {
		return Math.max(0, this.sold - this.stock);
	}
}
