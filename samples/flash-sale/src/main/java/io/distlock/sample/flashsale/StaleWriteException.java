package io.distlock.sample.flashsale;

/**
 * Thrown when the database refuses a stock write because its fencing token is not newer than the last one
 * written: this holder's lease expired (a long pause) and another holder has written since. Nothing was sold.
 */
public class StaleWriteException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	StaleWriteException(String sku, long fencingToken) {
		super("Stock of '" + sku + "' was written under a newer lock than fencing token " + fencingToken
				+ ": this purchase's lease had expired; nothing was sold");
	}
}
