package io.distlock.sample.flashsale.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.distlock.sample.flashsale.StockStatus;
import tools.jackson.databind.json.JsonMapper;

/** The demo's HTTP client of the shop's endpoints ({@code OrderController}). */
final class ShopClient {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(10))
		.build();

	private final JsonMapper json = JsonMapper.builder().build();

	/** {@code POST path} of an order: returns the HTTP status (201 sold, 409 sold out, 503 lock busy). */
	int order(int port, String path, String sku, String buyer) throws IOException, InterruptedException {
		String body = this.json.writeValueAsString(new io.distlock.sample.flashsale.Order(sku, buyer));
		HttpRequest request = HttpRequest.newBuilder(uri(port, path))
			.timeout(TIMEOUT)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	/** {@code PUT /stock/{sku}?quantity=n}: restocks and forgets past sales. */
	StockStatus restock(int port, String sku, int quantity) throws IOException, InterruptedException {
		return status(HttpRequest.newBuilder(uri(port, "/stock/" + sku + "?quantity=" + quantity))
			.PUT(HttpRequest.BodyPublishers.noBody()));
	}

	/** {@code GET /stock/{sku}}: what the database says. */
	StockStatus status(int port, String sku) throws IOException, InterruptedException {
		return status(HttpRequest.newBuilder(uri(port, "/stock/" + sku)).GET());
	}

	private StockStatus status(HttpRequest.Builder request) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IOException(response.request().method() + " " + response.uri() + " answered "
					+ response.statusCode() + ": " + response.body());
		}
		return this.json.readValue(response.body(), StockStatus.class);
	}

	private static URI uri(int port, String path) {
		return URI.create("http://localhost:" + port + path);
	}
}
