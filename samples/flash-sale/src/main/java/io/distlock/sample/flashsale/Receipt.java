package io.distlock.sample.flashsale;

/**
 * One item sold.
 *
 * @param sku what was sold
 * @param buyer to whom
 * @param left stock left after this sale
 * @param fencingToken the fencing token of the lock this sale was made under, {@code null} if none was held
 * @param soldBy the instance that sold it
 */
public record Receipt(String sku, String buyer, int left, Long fencingToken, String soldBy) {
}
