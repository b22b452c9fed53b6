package io.distlock.sample.flashsale;

/** Thrown when a buyer asks for an item of a SKU whose stock is gone (or that was never on sale). */
public class SoldOutException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	SoldOutException(String sku) {
		super("'" + sku + "' is sold out");
	}
}
