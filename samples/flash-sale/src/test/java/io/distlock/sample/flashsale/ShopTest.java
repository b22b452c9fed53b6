package io.distlock.sample.flashsale;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** One instance of the shop over HTTP, on its default configuration (jdbc backend, embedded H2). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "flash-sale.payment-time=0ms")
class ShopTest {

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	Inventory inventory;

	@Test
	void sellsTheStockUnderIncreasingFencingTokensThenAnswersSoldOut() throws Exception {
		this.inventory.restock("lamp", 3);
		List<Long> tokens = new ArrayList<>();
		for (int i = 1; i <= 3; i++) {
			HttpResponse<String> response = order("{\"sku\":\"lamp\",\"buyer\":\"b" + i + "\"}");
			assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
			Receipt receipt = this.json.readValue(response.body(), Receipt.class);
			assertThat(receipt.left()).isEqualTo(3 - i);
			tokens.add(receipt.fencingToken());
		}
		assertThat(tokens).doesNotContainNull().isSorted().doesNotHaveDuplicates();
		HttpResponse<String> soldOut = order("{\"sku\":\"lamp\",\"buyer\":\"late\"}");
		assertThat(soldOut.statusCode()).isEqualTo(409);
		assertThat(soldOut.body()).contains("'lamp' is sold out");
		assertThat(this.inventory.status("lamp")).contains(new StockStatus("lamp", 3, 0, 3));
	}

	@Test
	void anOrderWithoutSkuIsRefusedBeforeTakingTheLock() throws Exception {
		HttpResponse<String> response = order("{\"buyer\":\"nobody\"}");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("#order.sku");
	}

	@Test
	void theDatabaseRefusesAWriteUnderAnOlderFencingTokenAndSellsNothing() {
		this.inventory.restock("chair", 5);
		this.inventory.sellOne(new Order("chair", "current holder"), 100L, Duration.ZERO, "test");
		assertThatExceptionOfType(StaleWriteException.class)
			.isThrownBy(() -> this.inventory.sellOne(new Order("chair", "paused past its lease"), 99L, Duration.ZERO, "test"))
			.withMessageContaining("fencing token 99");
		assertThat(this.inventory.status("chair")).contains(new StockStatus("chair", 5, 4, 1));
	}

	private HttpResponse<String> order(String body) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/orders"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}
}
