package io.distlock.sample.flashsale;

/**
 * A buyer's request for one item.
 *
 * @param sku what to buy; the lock key
 * @param buyer who buys it
 */
public record Order(String sku, String buyer) {
}
