package io.distlock.core;

import java.time.Instant;

/**
 * A lock this instance holds, as an operator sees it (the {@code locks} actuator endpoint).
 *
 * @param name the lock's name (without the key prefix)
 * @param key the lock's key ({@code ""} for the whole name)
 * @param fencingToken the token of the acquisition
 * @param heldSince when it was acquired
 */
public record LockInfo(String name, String key, long fencingToken, Instant heldSince) {
}
