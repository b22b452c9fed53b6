package io.distlock.redis;

/**
 * The three scripts of the Redis backend. Each runs atomically on the server, in one round trip, and
 * judges time by the server's clock only. The lock is a string whose value is its owner (unique per
 * acquisition), followed by {@code |w} once someone waits for its release. The fencing token lives in
 * the counter key, which the acquire script sets to the new token: while the lock is held, the counter
 * is the holder's token. The scripts make as few calls as they can: each call costs the server about
 * a microsecond, and the uncontended path (4 calls to acquire, 2 to release) runs on every lock.
 */
final class RedisLockScripts {

	private RedisLockScripts() {
	}

	/**
	 * Acquire. KEYS: lock, token counter. ARGV: owner, lease ms, counter ttl ms, "1" if the caller will
	 * wait. Returns the new fencing token (positive) when acquired; otherwise zero or minus the lock's
	 * remaining time to live in ms, the caller's fallback wait should no release message arrive.
	 *
	 * <p>The token is max(last token + 1, server time in microseconds): it increases with every
	 * acquisition, and still does after a restart that lost every key, as long as the server's clock
	 * does not go back. It is formatted with %.0f because Lua numbers are doubles (exact up to 2^53).
	 * A waiter marks the lock with APPEND, which keeps its time to live.
	 */
	static final LuaScript ACQUIRE = LuaScript.of("""
			if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
			  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
			  local now = redis.call('TIME')
			  local token = string.format('%.0f', math.max(last + 1, tonumber(now[1]) * 1000000 + tonumber(now[2])))
			  redis.call('SET', KEYS[2], token, 'PX', ARGV[3])
			  return tonumber(token)
			end
			if ARGV[4] == '1' and string.sub(redis.call('GET', KEYS[1]) or '', -2) ~= '|w' then
			  redis.call('APPEND', KEYS[1], '|w')
			end
			local ttl = redis.call('PTTL', KEYS[1])
			if ttl < 0 then
			  return -1000
			end
			return -ttl
			""");

	/**
	 * Release: compare-and-delete, and a message on the channel only if someone waits. KEYS: lock.
	 * ARGV: owner, channel. Returns 1 if this owner's lock was deleted, 0 if it was not ours (any more).
	 */
	static final LuaScript RELEASE = LuaScript.of("""
			local v = redis.call('GET', KEYS[1])
			if v == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			if v == ARGV[1] .. '|w' then
			  redis.call('DEL', KEYS[1])
			  redis.call('PUBLISH', ARGV[2], KEYS[1])
			  return 1
			end
			return 0
			""");

	/** Renew: owner-checked PEXPIRE. KEYS: lock. ARGV: owner, lease ms. Returns 1 if extended, 0 if lost. */
	static final LuaScript RENEW = LuaScript.of("""
			local v = redis.call('GET', KEYS[1])
			if v == ARGV[1] or v == ARGV[1] .. '|w' then
			  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
			end
			return 0
			""");
}
