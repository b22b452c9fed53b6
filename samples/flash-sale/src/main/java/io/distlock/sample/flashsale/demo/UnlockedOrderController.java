package io.distlock.sample.flashsale.demo;

import io.distlock.sample.flashsale.FlashSaleProperties;
import io.distlock.sample.flashsale.Inventory;
import io.distlock.sample.flashsale.Order;
import io.distlock.sample.flashsale.Receipt;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Demo instances only ({@code flash-sale.demo.instance=true}): {@code POST /demo/orders-without-lock} makes the
 * same purchase as {@code POST /orders} but calls the {@link Inventory} directly, past the
 * {@code @DistributedLocked} shop, to show what the lock prevents. A real shop has no such door.
 */
@RestController
@ConditionalOnBooleanProperty("flash-sale.demo.instance")
class UnlockedOrderController {

	static final String PATH = "/demo/orders-without-lock";

	private final Inventory inventory;

	private final FlashSaleProperties properties;

	UnlockedOrderController(Inventory inventory, FlashSaleProperties properties) {
		this.inventory = inventory;
		this.properties = properties;
	}

	@PostMapping(PATH)
	@ResponseStatus(HttpStatus.CREATED)
	Receipt order(@RequestBody Order order) {
		return this.inventory.sellOne(order, null, this.properties.paymentTime(), this.properties.instanceName());
	}
}
