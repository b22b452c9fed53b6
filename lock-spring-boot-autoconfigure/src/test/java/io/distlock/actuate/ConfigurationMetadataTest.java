package io.distlock.actuate;

import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.jayway.jsonpath.JsonPath;
import io.distlock.autoconfigure.DistributedLockProperties;
import io.distlock.autoconfigure.JdbcLockProperties;
import io.distlock.autoconfigure.LockBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata that the build generates (META-INF/spring-configuration-metadata.json, what IDEs
 * complete from): every {@code distributed-lock.*} property documented, with its default, and value hints for
 * the properties whose values are names.
 */
class ConfigurationMetadataTest {

	/** Properties that have no default by design: unset means "detect" or "not used". */
	private static final Set<String> WITHOUT_DEFAULT = Set.of("distributed-lock.backend", "distributed-lock.zookeeper.connect-string");

	private static List<Map<String, Object>> properties;

	private static List<Map<String, Object>> hints;

	@BeforeAll
	static void readGeneratedMetadata() throws Exception {
		URL ours = null;
		for (URL url : Collections.list(ConfigurationMetadataTest.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json"))) {
			// ours is the one in this module's classes directory; Spring Boot's are in its jars
			if (url.toString().equals(DistributedLockProperties.class.getProtectionDomain().getCodeSource().getLocation()
					+ "META-INF/spring-configuration-metadata.json")) {
				ours = url;
			}
		}
		assertThat(ours).as("generated metadata next to DistributedLockProperties").isNotNull();
		try (InputStream in = ours.openStream()) {
			Object json = JsonPath.parse(in).json();
			properties = JsonPath.read(json, "$.properties[*]");
			hints = JsonPath.read(json, "$.hints[*]");
		}
	}

	@Test
	void everyPropertyHasADescriptionAndADefault() {
		List<String> problems = new ArrayList<>();
		List<Map<String, Object>> ours = properties.stream().filter((p) -> name(p).startsWith("distributed-lock.")).toList();
		assertThat(ours).extracting(ConfigurationMetadataTest::name)
			.contains("distributed-lock.enabled", "distributed-lock.backend", "distributed-lock.wait-time",
					"distributed-lock.lease-time", "distributed-lock.key-prefix", "distributed-lock.redis.channel",
					"distributed-lock.zookeeper.connect-string", "distributed-lock.jdbc.table-name",
					"distributed-lock.jdbc.initialize-schema");
		for (Map<String, Object> property : ours) {
			String description = (String) property.get("description");
			if (description == null || description.isBlank()) {
				problems.add(name(property) + ": no description (write a javadoc sentence on its field)");
			}
			else if (description.startsWith("The ") || description.startsWith("A ") || description.contains("{@")) {
				problems.add(name(property) + ": description should not start with 'The'/'A' nor hold javadoc tags: " + description);
			}
			if (!property.containsKey("defaultValue") && !WITHOUT_DEFAULT.contains(name(property))) {
				problems.add(name(property) + ": no default value (initialize the field, or add it to "
						+ "META-INF/additional-spring-configuration-metadata.json when it is computed)");
			}
		}
		assertThat(problems).isEmpty();
	}

	@Test
	void healthIndicatorSwitchIsDocumented() {
		assertThat(properties).filteredOn((p) -> name(p).equals("management.health.distributed-lock.enabled"))
			.singleElement()
			.satisfies((p) -> {
				assertThat(p.get("defaultValue")).isEqualTo(true);
				assertThat((String) p.get("description")).isNotBlank();
			});
	}

	@Test
	void backendAndInitializeSchemaHaveValueHints() {
		assertThat(hintValues("distributed-lock.backend"))
			.containsExactlyElementsOf(Arrays.stream(LockBackend.values()).map(LockBackend::id).toList());
		assertThat(hintValues("distributed-lock.jdbc.initialize-schema")).containsExactlyElementsOf(
				Arrays.stream(JdbcLockProperties.InitializeSchema.values()).map((v) -> v.name().toLowerCase(Locale.ROOT)).toList());
	}

	private static List<String> hintValues(String property) {
		Map<String, Object> hint = hints.stream().filter((h) -> name(h).equals(property)).findFirst().orElseThrow(
				() -> new AssertionError("no hint for " + property));
		List<Map<String, Object>> values = JsonPath.read(hint, "$.values[*]");
		assertThat(values).allSatisfy((v) -> assertThat((String) v.get("description")).isNotBlank());
		return values.stream().map((v) -> (String) v.get("value")).toList();
	}

	private static String name(Map<String, Object> entry) {
		return (String) entry.get("name");
	}
}
