package io.distlock.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script and its SHA-1, so that it is sent by digest ({@code EVALSHA}) and its text only when
 * the server does not know it yet ({@code NOSCRIPT}: first use, or after a restart).
 *
 * @param text the script
 * @param sha the SHA-1 of the script, lower-case hex, as Redis names it
 */
record LuaScript(String text, String sha) {

	static LuaScript of(String text) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
			return new LuaScript(text, HexFormat.of().formatHex(digest));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is required by every Java platform", ex);
		}
	}
}
