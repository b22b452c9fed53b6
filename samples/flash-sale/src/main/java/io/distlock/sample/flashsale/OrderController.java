package io.distlock.sample.flashsale;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /orders} buys one item: 201 with a {@link Receipt}, or an error as {@link ShopErrors} says.
 * {@code GET /stock/{sku}} shows stock, left and sold;
 * {@code PUT /stock/{sku}?quantity=n} restocks it (the demo uses it between rounds).
 */
@RestController
class OrderController {

	private final Shop shop;

	private final Inventory inventory;

	OrderController(Shop shop, Inventory inventory) {
		this.shop = shop;
		this.inventory = inventory;
	}

	@PostMapping("/orders")
	ResponseEntity<Receipt> order(@RequestBody Order order) {
		Receipt receipt = this.shop.purchase(order);
		return ResponseEntity.created(URI.create("/stock/" + receipt.sku())).body(receipt);
	}

	@GetMapping("/stock/{sku}")
	StockStatus stock(@PathVariable String sku) {
		return this.inventory.status(sku)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "'" + sku + "' was never on sale"));
	}

	@PutMapping("/stock/{sku}")
	StockStatus restock(@PathVariable String sku, @RequestParam int quantity) {
		if (quantity < 0) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "quantity must not be negative, was " + quantity);
		}
		return this.inventory.restock(sku, quantity);
	}
}
