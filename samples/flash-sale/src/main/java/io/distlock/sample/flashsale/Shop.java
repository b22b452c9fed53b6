package io.distlock.sample.flashsale;

import io.distlock.annotation.DistributedLocked;
import io.distlock.core.LockContext;
import io.distlock.core.LockHandle;

import org.springframework.stereotype.Service;

/**
 * Sells the stock. {@link #purchase(Order)} runs under a distributed lock per SKU, so across every instance that
 * shares the lock backend only one purchase of a SKU reads and writes its stock at a time: no oversell.
 *
 * <p>With {@code distributed-lock.enabled=false} the annotation does nothing, and concurrent purchases of one SKU
 * oversell it; the demo ({@code --demo}) runs both ways.
 */
@Service
public class Shop {

	private final Inventory inventory;

	private final FlashSaleProperties properties;

	Shop(Inventory inventory, FlashSaleProperties properties) {
		this.inventory = inventory;
		this.properties = properties;
	}

	/**
	 * Sells one item of {@code order.sku()}, waiting up to 20 seconds for the SKU's lock (the queue of buyers in a
	 * flash sale is long; {@code flash-sale.lock-wait-time} changes it).
	 * @throws SoldOutException if no stock is left
	 * @throws io.distlock.core.LockAcquisitionException if the lock stayed taken for the whole wait
	 * @throws IllegalArgumentException if the order has no SKU
	 */
	@DistributedLocked(name = "stock", key = "#order.sku", waitTime = "${flash-sale.lock-wait-time:20s}")
	public Receipt purchase(Order order) {
		Long fencingToken = LockContext.current().map(LockHandle::fencingToken).orElse(null);
		return this.inventory.sellOne(order, fencingToken, this.properties.paymentTime(), this.properties.instanceName());
	}
}
