package io.distlock.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The actuator as an operator reaches it: a web application on a random port with Spring Boot's full
 * auto-configuration, asked over real HTTP for {@code /actuator/locks}, {@code /actuator/health/distributedLock}
 * and {@code /actuator/metrics/distributed.lock.acquire}. The jdbc backend on an embedded H2 database.
 */
@SpringBootTest(classes = ActuatorOverHttpTest.Application.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "distributed-lock.backend=jdbc", "management.endpoints.web.exposure.include=health,locks,metrics",
				"management.endpoint.health.show-details=always",
				// the Redis client is on the test class path; this application does not use it
				"spring.autoconfigure.exclude=org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration" })
class ActuatorOverHttpTest {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private LockTemplate locks;

	@Test
	void locksEndpointListsTheLocksThisInstanceHoldsNow() throws Exception {
		Instant before = Instant.now();
		try (LockHandle order = this.locks.tryAcquire("orders", "42", Duration.ZERO).orElseThrow();
				LockHandle report = this.locks.tryAcquire("report", "", Duration.ZERO).orElseThrow();
				LockHandle reentered = this.locks.tryAcquire("orders", "42", Duration.ZERO).orElseThrow()) {
			String json = get("/actuator/locks", 200);
			assertThat(JsonPath.<String>read(json, "$.backend")).isEqualTo("jdbc");
			List<Map<String, Object>> held = JsonPath.read(json, "$.locks");
			assertThat(held).as(json).hasSize(2);
			assertThat(held).extracting((lock) -> lock.get("name"), (lock) -> lock.get("key"))
				.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("orders", "42"),
						org.assertj.core.groups.Tuple.tuple("report", ""));
			Map<String, Object> orders = held.stream().filter((lock) -> "orders".equals(lock.get("name"))).findFirst().orElseThrow();
			assertThat(((Number) orders.get("fencingToken")).longValue()).isEqualTo(order.fencingToken());
			assertThat(Instant.parse((String) orders.get("heldSince"))).isBetween(before.minusSeconds(1), Instant.now());
		}
		assertThat(JsonPath.<List<?>>read(get("/actuator/locks", 200), "$.locks")).isEmpty();
	}

	@Test
	void healthShowsTheBackend() throws Exception {
		String json = get("/actuator/health/distributedLock", 200);
		assertThat(JsonPath.<String>read(json, "$.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(json, "$.details.backend")).isEqualTo("jdbc");
	}

	@Test
	void acquireTimerIsAMetricTaggedByNameBackendAndOutcome() throws Exception {
		this.locks.run("invoice", "7", Duration.ZERO, () -> {
		});
		String json = get("/actuator/metrics/distributed.lock.acquire?tag=name:invoice&tag=outcome:acquired", 200);
		assertThat(JsonPath.<Object>read(json, "$.measurements[?(@.statistic == 'COUNT')].value").toString()).isEqualTo("[1.0]");
		assertThat(JsonPath.<List<String>>read(json, "$.availableTags[*].tag")).contains("backend").doesNotContain("key");
		assertThat(get("/actuator/metrics/distributed.lock.held.active", 200)).contains("ACTIVE_TASKS");
	}

	private String get(String path, int expectedStatus) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).timeout(Duration.ofSeconds(30)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(expectedStatus);
		return response.body();
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

	}
}
