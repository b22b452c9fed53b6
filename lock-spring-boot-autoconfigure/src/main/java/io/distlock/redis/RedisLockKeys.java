package io.distlock.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.distlock.core.LockRequest;

/**
 * The Redis keys of one lock, readable with {@code redis-cli --scan}:
 * <pre>
 * &lt;prefix&gt;{&lt;name&gt;:&lt;key&gt;}          the lock: its owner, with "|w" appended when someone waits
 * &lt;prefix&gt;{&lt;name&gt;:&lt;key&gt;}:token    the last fencing token issued: the holder's, while held
 * &lt;prefix&gt;{&lt;name&gt;:&lt;key&gt;}:queue    fair locks only, while someone waits: the waiters in order (a list)
 * &lt;prefix&gt;{&lt;name&gt;:&lt;key&gt;}:waiters  fair locks only, while someone waits: when each waiter counts as gone (a sorted set)
 * </pre>
 * The part in braces is a Redis Cluster hash tag, so all keys of a lock live in one slot and one
 * script can touch both. To keep the mapping unambiguous (two different locks never share a key) and
 * the hash tag intact whatever users put in names and keys:
 * <ul>
 * <li>{@code %}, <code>{</code> and <code>}</code> are percent-encoded everywhere ({@code %25},
 * {@code %7B}, {@code %7D}), and {@code :} in the lock name ({@code %3A}): the first {@code :} of the
 * tag separates the name from the key, which keeps its colons. Spaces and unicode stay as they are.</li>
 * <li>A tag longer than {@value #MAX_TAG_LENGTH} characters is shortened to its first
 * {@value #READABLE_LENGTH} characters, {@code %#} and the SHA-256 of the full name and key; the
 * encoding never produces {@code %#} otherwise, so a shortened tag cannot equal a plain one.</li>
 * <li>The key prefix is written before the tag, brace-encoded, so that every key starts with it.</li>
 * </ul>
 */
final class RedisLockKeys {

	static final int MAX_TAG_LENGTH = 256;

	static final int READABLE_LENGTH = 64;

	private final String lockKey;

	private final String tokenKey;

	private RedisLockKeys(String lockKey) {
		this.lockKey = lockKey;
		this.tokenKey = lockKey + ":token";
	}

	/** The fair queue: the owners of waiting callers, in the order they started waiting. */
	String queueKey() {
		return this.lockKey + ":queue";
	}

	/** The fair queue's liveness: each waiting owner scored by the server time (ms) after which it counts as gone. */
	String waitersKey() {
		return this.lockKey + ":waiters";
	}

	/** Returns the keys of the lock that {@code request} asks for. */
	static RedisLockKeys of(LockRequest request) {
		String storageName = request.storageName();
		String name = request.name();
		// storageName is keyPrefix + name: the prefix stays outside the hash tag
		String prefix = storageName.endsWith(name) ? storageName.substring(0, storageName.length() - name.length()) : "";
		String lockName = storageName.substring(prefix.length());
		String tag = encode(lockName, true) + ":" + encode(request.key(), false);
		if (tag.length() > MAX_TAG_LENGTH) {
			// never cut a surrogate pair in half: the readable part must stay valid UTF-16
			int cut = Character.isHighSurrogate(tag.charAt(READABLE_LENGTH - 1)) ? READABLE_LENGTH - 1 : READABLE_LENGTH;
			tag = tag.substring(0, cut) + "%#" + sha256(lockName + '\u0000' + request.key());
		}
		return new RedisLockKeys(encode(prefix, false) + "{" + tag + "}");
	}

	/** The key that holds the owner while the lock is held; also the pub/sub message of its release. */
	String lockKey() {
		return this.lockKey;
	}

	/** The counter of the last fencing token issued for this lock. */
	String tokenKey() {
		return this.tokenKey;
	}

	private static String encode(String value, boolean colon) {
		StringBuilder out = null;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			String escape = switch (c) {
				case '%' -> "%25";
				case '{' -> "%7B";
				case '}' -> "%7D";
				case ':' -> colon ? "%3A" : null;
				default -> null;
			};
			if (escape != null && out == null) {
				out = new StringBuilder(value.length() + 8).append(value, 0, i);
			}
			if (out != null) {
				if (escape != null) {
					out.append(escape);
				}
				else {
					out.append(c);
				}
			}
		}
		return (out != null) ? out.toString() : value;
	}

	private static String sha256(String value) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	}
}
