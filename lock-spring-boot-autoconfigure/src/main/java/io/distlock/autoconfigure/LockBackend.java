package io.distlock.autoconfigure;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The backends {@code distributed-lock.backend} can name, in auto-detection order. */
public enum LockBackend {

	/** Redis through Spring Data Redis: chosen when a {@code RedisConnectionFactory} bean exists. */
	REDIS("redis", "no RedisConnectionFactory is available: add org.springframework.boot:spring-boot-starter-data-redis "
			+ "and configure spring.data.redis.*"),

	/** ZooKeeper through Apache Curator: chosen when a {@code CuratorFramework} bean or a connect string exists. */
	ZOOKEEPER("zookeeper", "there is neither a CuratorFramework bean nor distributed-lock.zookeeper.connect-string: "
			+ "add org.apache.curator:curator-recipes and set distributed-lock.zookeeper.connect-string"),

	/** A relational database through Spring JDBC: chosen when a {@code DataSource} bean exists. */
	JDBC("jdbc", "no DataSource is available: add org.springframework.boot:spring-boot-starter-jdbc and a JDBC driver, "
			+ "and configure spring.datasource.*"),

	/** This JVM's memory: the fallback, exclusive within one JVM only. */
	IN_MEMORY("in-memory", "");

	/** The property that names a backend explicitly. */
	public static final String PROPERTY = "distributed-lock.backend";

	private final String id;

	private final String missing;

	LockBackend(String id, String missing) {
		this.id = id;
		this.missing = missing;
	}

	/** Returns the name used in properties and logs, such as {@code in-memory}. */
	public String id() {
		return this.id;
	}

	/** Returns what is missing when this backend is named but cannot be created, and how to add it. */
	String missingMessage() {
		return PROPERTY + "=" + this.id + ", but " + this.missing;
	}

	/**
	 * Parses a property value leniently ({@code in-memory}, {@code IN_MEMORY}, {@code inMemory}).
	 * @throws IllegalStateException naming the property and the valid values
	 */
	public static LockBackend parse(String value) {
		String normalized = value.trim().toLowerCase(Locale.ROOT).replace("_", "-");
		for (LockBackend backend : values()) {
			if (backend.id.equals(normalized) || backend.id.replace("-", "").equals(normalized)) {
				return backend;
			}
		}
		throw new IllegalStateException("Invalid " + PROPERTY + "='" + value + "': expected one of "
				+ Arrays.stream(values()).map(LockBackend::id).collect(Collectors.joining(", ")));
	}
}
