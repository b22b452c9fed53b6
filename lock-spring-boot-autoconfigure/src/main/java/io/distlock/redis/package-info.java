/**
 * The Redis backend: locks in Redis (standalone, Sentinel or Cluster) through Spring Data Redis'
 * Lettuce or Jedis client, taken, renewed and released by Lua scripts, with waiters woken over one
 * pub/sub subscription per provider. See {@link io.distlock.redis.RedisLockProvider}.
 */
@NullMarked
package io.distlock.redis;

import org.jspecify.annotations.NullMarked;
