package io.distlock.zookeeper;

import java.nio.charset.StandardCharsets;

/**
 * Turns lock names and keys into znode names that cannot leave the base path.
 *
 * <p>One path segment per name and per key: {@code <base-path>/<encoded storage name>/<encoded key>}.
 * Letters, digits, {@code -}, {@code _} and {@code .} stay as they are, so operators can read the
 * tree; every other character, including {@code /}, {@code %} and all non-ASCII characters, becomes
 * {@code %XX} per byte of its UTF-8 form. A segment made only of dots ({@code .}, {@code ..}) has its
 * dots encoded too, since ZooKeeper rejects those names. The empty key (one lock for the whole name)
 * is the segment {@code %}, which no non-empty input encodes to. The encoding is injective: two
 * different names or keys never share a znode.
 */
final class ZnodeNames {

	/** Segment of the empty string: the whole-name lock. A lone {@code %} never results from encoding. */
	static final String EMPTY = "%";

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	private ZnodeNames() {
	}

	/** Returns the znode that holds the queue of lock nodes for one name and key. */
	static String queuePath(String basePath, String storageName, String key) {
		String prefix = basePath.equals("/") ? "" : basePath;
		return prefix + "/" + segment(storageName) + "/" + segment(key);
	}

	/** Encodes one string as a single, valid znode name. */
	static String segment(String raw) {
		if (raw.isEmpty()) {
			return EMPTY;
		}
		boolean onlyDots = raw.chars().allMatch((c) -> c == '.');
		StringBuilder out = new StringBuilder(raw.length() + 8);
		for (byte b : raw.getBytes(StandardCharsets.UTF_8)) {
			int c = b & 0xFF;
			if (isPlain(c) && !(onlyDots && c == '.')) {
				out.append((char) c);
			}
			else {
				out.append('%').append(HEX[c >> 4]).append(HEX[c & 0x0F]);
			}
		}
		return out.toString();
	}

	private static boolean isPlain(int c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
	}
}
