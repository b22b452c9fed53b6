package io.distlock.zookeeper;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.curator.utils.PathUtils;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ZnodeNamesTest {

	private static final List<String> TRICKY = List.of("", "%", "%25", ".", "..", "...", "%2E", "a/b", "a%2Fb", "/", "../../x",
			"ключ", "ü", "😀", "\u0000", "\u0001", "zookeeper", "a b", "order-42_v1.2");

	@Test
	void everyEncodedSegmentIsOneValidZnodeName() {
		for (String raw : TRICKY) {
			String segment = ZnodeNames.segment(raw);
			assertThat(segment).as(raw).doesNotContain("/").isNotIn(".", "..").isNotEmpty();
			PathUtils.validatePath("/base/" + segment);
		}
	}

	@Test
	void encodingIsInjective() {
		Set<String> seen = new HashSet<>();
		for (String raw : TRICKY) {
			assertThat(seen.add(ZnodeNames.segment(raw))).as("collision for '" + raw + "'").isTrue();
		}
	}

	@Test
	void readableNamesStayReadable() {
		assertThat(ZnodeNames.segment("order-42_v1.2")).isEqualTo("order-42_v1.2");
		assertThat(ZnodeNames.segment("a/b")).isEqualTo("a%2Fb");
		assertThat(ZnodeNames.segment("ü")).isEqualTo("%C3%BC");
		assertThat(ZnodeNames.queuePath("/locks", "app.account", "")).isEqualTo("/locks/app.account/%");
		assertThat(ZnodeNames.queuePath("/", "n", "k")).isEqualTo("/n/k");
	}
}
