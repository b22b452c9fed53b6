package io.distlock.redis;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the backend checks about the server, from its {@code INFO}: the version (the scripts call
 * {@code TIME} before they write, which Redis allows from 5.0 on, where scripts replicate their
 * effects) and whether the server may evict keys ({@code maxmemory-policy}): an evicted lock is a
 * lock silently handed to the next caller.
 *
 * @param version {@code redis_version}, e.g. {@code 7.0.15} (Valkey reports a compatible one)
 * @param mode {@code redis_mode}: {@code standalone}, {@code sentinel} or {@code cluster}
 * @param maxmemoryPolicy {@code maxmemory_policy}, e.g. {@code noeviction}
 */
record RedisServerInfo(String version, String mode, String maxmemoryPolicy) {

	/** The oldest Redis whose scripts may call {@code TIME} before writing. */
	static final String MINIMUM_VERSION = "5.0";

	/** The eviction policy under which no lock can disappear before its lease ends. */
	static final String SAFE_POLICY = "noeviction";

	/** Builds it from {@code INFO} fields. */
	static RedisServerInfo of(Map<String, String> info) {
		return new RedisServerInfo(info.getOrDefault("redis_version", "unknown"), info.getOrDefault("redis_mode", "unknown"),
				info.getOrDefault("maxmemory_policy", "unknown"));
	}

	/** Parses the text of {@code INFO}: {@code field:value} lines, {@code #} section headers. */
	static Map<String, String> parse(String info) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (String line : info.split("\r?\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && !line.startsWith("#")) {
				fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		return fields;
	}

	/**
	 * Fails when the server is too old for the scripts.
	 * @throws IllegalStateException naming the version found and the minimum
	 */
	void checkSupported() {
		if (!"unknown".equals(this.version) && isOlderThan(MINIMUM_VERSION)) {
			throw new IllegalStateException("Redis " + this.version + " is too old for the Redis lock backend: it needs Redis "
					+ MINIMUM_VERSION + " or newer (its scripts call TIME before writing, which older servers refuse)");
		}
	}

	/** Whether the server may evict keys, and so a held lock, when memory runs out. */
	boolean mayEvict() {
		return !SAFE_POLICY.equals(this.maxmemoryPolicy) && !"unknown".equals(this.maxmemoryPolicy);
	}

	boolean isOlderThan(String minimum) {
		String[] have = this.version.split("\\.");
		String[] need = minimum.split("\\.");
		for (int i = 0; i < need.length; i++) {
			int h = (i < have.length) ? number(have[i]) : 0;
			int n = number(need[i]);
			if (h != n) {
				return h < n;
			}
		}
		return false;
	}

	private static int number(String part) {
		try {
			return Integer.parseInt(part.replaceAll("[^0-9].*$", ""));
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}
}
