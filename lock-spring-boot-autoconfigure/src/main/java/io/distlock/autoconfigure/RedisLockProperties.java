package io.distlock.autoconfigure;

/**
 * Redis backend settings, under {@code distributed-lock.redis}. The connection itself comes from
 * Spring Boot's {@code spring.data.redis.*}.
 */
public class RedisLockProperties {

}
