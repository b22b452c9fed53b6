package io.distlock.redis;

/**
 * The scripts of the Redis backend. Each runs atomically on the server, in one round trip, and
 * judges time by the server's clock only. The lock is a string whose value is its owner (unique per
 * acquisition), then {@code |held} once released with a minimum hold time, then {@code |w} once
 * someone waits for its release. The fencing token lives in the counter key, which the acquire script
 * sets to the new token: while the lock is held, the counter is the holder's token.
 *
 * <p>Every script is idempotent, because Lettuce re-sends a command that was in flight when its
 * connection dropped, so a script may run twice: a second acquire by the same owner returns the same
 * token, a second renewal extends again, a second release or hold finds nothing left to do.
 *
 * <p>The non-fair scripts make as few calls as they can (each call costs the server about a
 * microsecond, and the uncontended path runs on every lock): the fair queue lives in scripts of its
 * own, so that fairness costs the non-fair path nothing.
 */
final class RedisLockScripts {

	private RedisLockScripts() {
	}

	/**
	 * Shared by both acquire scripts. {@code issue()} puts a new token into the counter KEYS[2] with time
	 * to live ARGV[3] ms: max(last token + 1,
	 * server time in microseconds). It increases with every acquisition, and still does after a restart
	 * that lost every key, as long as the server's clock does not go back. Formatted with %.0f because
	 * Lua numbers are doubles (exact up to 2^53). {@code waitHint()}: minus the lock's remaining time
	 * to live (-1000 when it has none, or is gone), how long a waiter need wait at most.
	 * {@code replayed(v)}: the token, if lock value v shows that this owner already holds the lock.
	 */
	private static final String ISSUE_TOKEN = """
			local function issue()
			  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
			  local now = redis.call('TIME')
			  local token = string.format('%.0f', math.max(last + 1, tonumber(now[1]) * 1000000 + tonumber(now[2])))
			  redis.call('SET', KEYS[2], token, 'PX', ARGV[3])
			  return tonumber(token)
			end
			local function waitHint()
			  local ttl = redis.call('PTTL', KEYS[1])
			  if ttl < 0 then
			    return -1000
			  end
			  return -ttl
			end
			local function replayed(v)
			  if v == ARGV[1] or v == ARGV[1] .. '|w' then
			    local token = redis.call('GET', KEYS[2])
			    if token then
			      return tonumber(token)
			    end
			    return issue()
			  end
			  return nil
			end
			""";

	/**
	 * Acquire. KEYS: lock, token counter. ARGV: owner, lease ms, counter ttl ms, "1" if the caller will
	 * wait. Returns the fencing token (positive) when acquired, also when this owner already holds it (a
	 * replayed call); otherwise zero or minus the lock's remaining time to live in ms, the longest the
	 * caller need wait should no release message arrive. A waiter marks the lock with APPEND, which
	 * keeps its time to live.
	 */
	static final LuaScript ACQUIRE = LuaScript.of(ISSUE_TOKEN + """
			if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
			  return issue()
			end
			local v = redis.call('GET', KEYS[1])
			local mine = replayed(v)
			if mine then
			  return mine
			end
			if ARGV[4] == '1' and string.sub(v, -2) ~= '|w' then
			  redis.call('APPEND', KEYS[1], '|w')
			end
			return waitHint()
			""");

	/**
	 * Fair acquire: the lock goes to the first live waiter of its queue. KEYS: lock, token counter,
	 * queue (a list of owners in the order they started waiting), waiters (a sorted set of the same
	 * owners scored by the server time in ms after which a waiter that stopped asking counts as dead).
	 * ARGV: owner, lease ms, counter ttl ms, "1" if the caller will wait, waiter ttl ms. Returns as
	 * {@link #ACQUIRE}.
	 *
	 * <p>Every attempt of a waiter refreshes its own deadline, and dead waiters are removed by whoever
	 * comes next, all at once: a crashed waiter delays the queue by one waiter ttl at most, never one
	 * ttl per dead waiter, and a live waiter is never dropped. A holder that took the lock while others
	 * queue marks it awaited, so its release wakes them.
	 */
	static final LuaScript FAIR_ACQUIRE = LuaScript.of(ISSUE_TOKEN + """
			local v = redis.call('GET', KEYS[1])
			local mine = replayed(v)
			if mine then
			  return mine
			end
			local t = redis.call('TIME')
			local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
			local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)
			if #dead > 0 then
			  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
			  for i = 1, #dead do
			    redis.call('LREM', KEYS[3], 1, dead[i])
			  end
			end
			local head = redis.call('LINDEX', KEYS[3], 0)
			if not v and (not head or head == ARGV[1]) then
			  if head then
			    redis.call('LPOP', KEYS[3])
			    redis.call('ZREM', KEYS[4], ARGV[1])
			  end
			  local owner = ARGV[1]
			  if redis.call('LLEN', KEYS[3]) > 0 then
			    owner = owner .. '|w'
			  end
			  redis.call('SET', KEYS[1], owner, 'PX', ARGV[2])
			  return issue()
			end
			if ARGV[4] == '1' then
			  if not redis.call('ZSCORE', KEYS[4], ARGV[1]) then
			    redis.call('RPUSH', KEYS[3], ARGV[1])
			  end
			  redis.call('ZADD', KEYS[4], now + tonumber(ARGV[5]), ARGV[1])
			  redis.call('PEXPIRE', KEYS[3], ARGV[5])
			  redis.call('PEXPIRE', KEYS[4], ARGV[5])
			  if v and string.sub(v, -2) ~= '|w' then
			    redis.call('APPEND', KEYS[1], '|w')
			  end
			end
			return waitHint()
			""");

	/**
	 * Leaves the fair queue (a waiter that gives up) and undoes an acquisition whose answer never came.
	 * KEYS: lock, queue, waiters. ARGV: owner, channel. If the owner holds the lock, deletes it; if it
	 * was first in line or held the lock, and others wait, announces the release so the next one goes.
	 */
	static final LuaScript FAIR_CANCEL = LuaScript.of("""
			local head = redis.call('LINDEX', KEYS[2], 0)
			redis.call('LREM', KEYS[2], 0, ARGV[1])
			redis.call('ZREM', KEYS[3], ARGV[1])
			local v = redis.call('GET', KEYS[1])
			local held = v == ARGV[1] or v == ARGV[1] .. '|w'
			if held then
			  redis.call('DEL', KEYS[1])
			end
			local others = redis.call('LLEN', KEYS[2]) > 0
			if (held and (others or string.sub(v, -2) == '|w')) or (head == ARGV[1] and not v and others) then
			  redis.pcall('PUBLISH', ARGV[2], KEYS[1] .. '\\n' .. ARGV[1])
			end
			return held and 1 or 0
			""");

	/**
	 * Release: compare-and-delete, and a message on the channel only if someone waits. KEYS: lock.
	 * ARGV: owner, channel. Returns 1 if this owner's lock was deleted, 0 if it was not ours (any more).
	 * The message is sent with pcall: a user without rights to the channel still releases. It is the lock
	 * key and the owner, separated by a line feed (see {@link ReleaseNotifications#released}).
	 */
	static final LuaScript RELEASE = LuaScript.of("""
			local v = redis.call('GET', KEYS[1])
			if v == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			if v == ARGV[1] .. '|w' then
			  redis.call('DEL', KEYS[1])
			  redis.pcall('PUBLISH', ARGV[2], KEYS[1] .. '\\n' .. ARGV[1])
			  return 1
			end
			return 0
			""");

	/**
	 * Release with a minimum hold: the lock stays taken for ARGV[2] ms more by the server's clock and
	 * then frees itself. KEYS: lock. ARGV: owner, hold ms. The value becomes {@code owner|held}, so no
	 * renewal of this owner, even one delayed in a queue, can extend it any more. Returns 1 if done now
	 * or before (a replay keeps the first expiry), 0 if the lock was not this owner's any more.
	 */
	static final LuaScript RELEASE_AFTER = LuaScript.of("""
			local v = redis.call('GET', KEYS[1])
			local held = ARGV[1] .. '|held'
			if v == held or v == held .. '|w' then
			  return 1
			end
			if v == ARGV[1] then
			  redis.call('SET', KEYS[1], held, 'PX', ARGV[2])
			  return 1
			end
			if v == ARGV[1] .. '|w' then
			  redis.call('SET', KEYS[1], held .. '|w', 'PX', ARGV[2])
			  return 1
			end
			return 0
			""");

	/**
	 * Renew a batch of leases: owner-checked PEXPIRE of each. KEYS: the locks. ARGV: lease ms, then
	 * the owner of each lock in the order of KEYS. Returns one number per lock: 1 if extended, 0 if it
	 * is gone or owned by someone else (or released with a minimum hold).
	 */
	static final LuaScript RENEW = LuaScript.of("""
			local result = {}
			for i = 1, #KEYS do
			  local v = redis.call('GET', KEYS[i])
			  local owner = ARGV[i + 1]
			  if v == owner or v == owner .. '|w' then
			    result[i] = redis.call('PEXPIRE', KEYS[i], ARGV[1])
			  else
			    result[i] = 0
			  end
			end
			return result
			""");
}
