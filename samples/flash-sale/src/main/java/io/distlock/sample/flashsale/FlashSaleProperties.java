package io.distlock.sample.flashsale;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the shop, under {@code flash-sale}.
 *
 * @param sku SKU put on sale at first start
 * @param initialStock stock of that SKU at first start
 * @param paymentTime how long taking the payment takes: the window between reading the stock and writing it
 * back, in which an unlocked competitor reads the same stock
 * @param instanceName name of this instance, shown in receipts
 */
@ConfigurationProperties("flash-sale")
public record FlashSaleProperties(@DefaultValue("console") String sku, @DefaultValue("10") int initialStock,
		@DefaultValue("50ms") Duration paymentTime, @DefaultValue("flash-sale") String instanceName) {
}
