package io.distlock.actuate;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import io.distlock.core.LockInfo;
import io.distlock.core.LockTemplate;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code locks} actuator endpoint ({@code GET /actuator/locks}): the locks this instance holds now,
 * oldest first, with their keys (an operator's view: keys are never meter tags, but are shown here).
 * A lock is listed once however often its holder re-entered it; one whose lease is lost is not listed.
 */
@Endpoint(id = "locks")
public class LocksEndpoint {

	private final LockTemplate lockTemplate;

	/** Creates the endpoint over {@code lockTemplate}'s held locks. */
	public LocksEndpoint(LockTemplate lockTemplate) {
		this.lockTemplate = lockTemplate;
	}

	/** Returns the backend and the locks this instance holds now. */
	@ReadOperation
	public LocksDescriptor locks() {
		List<HeldLock> locks = this.lockTemplate.heldLocks()
			.stream()
			.sorted(Comparator.comparing(LockInfo::heldSince).thenComparing(LockInfo::name).thenComparing(LockInfo::key))
			.map((lock) -> new HeldLock(lock.name(), lock.key(), lock.fencingToken(), lock.heldSince()))
			.toList();
		return new LocksDescriptor(this.lockTemplate.getProvider().backendName(), locks);
	}

	/**
	 * The endpoint's answer.
	 * @param backend the backend's name
	 * @param locks the locks held now
	 */
	public record LocksDescriptor(String backend, List<HeldLock> locks) implements OperationResponseBody {
	}

	/**
	 * One held lock.
	 * @param name the lock's name (without the key prefix)
	 * @param key its key ({@code ""} for the whole name)
	 * @param fencingToken the token of the acquisition
	 * @param heldSince when it was acquired
	 */
	public record HeldLock(String name, String key, long fencingToken, Instant heldSince) {
	}
}
