package io.distlock.benchmarks;

/**
 * One lock implementation in the comparison.
 *
 * @param backend {@code redis}, {@code zookeeper} or {@code jdbc}: contenders are compared within a backend
 * @param name the row label, e.g. {@code redisson} or {@code ours (LockTemplate)}
 * @param kind whether this is ours, a peer library, or the raw limit
 * @param factory opens the contender on one application instance
 * @param fair whether it hands the lock over in arrival order: fair contenders are compared with fair
 * peers and with our own non-fair lock, non-fair ones with non-fair peers
 */
public record Contender(String backend, String name, Kind kind, Factory factory, boolean fair) {

	/** What a contender is, for the ratio table. */
	public enum Kind {
		OURS, PEER, RAW
	}

	/** Opens a {@link LockClient} on an application instance (its own connections to the server). */
	@FunctionalInterface
	public interface Factory {

		LockClient open(AppInstance instance) throws Exception;
	}

	static Contender ours(String backend, String name, Factory factory) {
		return new Contender(backend, name, Kind.OURS, factory, false);
	}

	static Contender peer(String backend, String name, Factory factory) {
		return new Contender(backend, name, Kind.PEER, factory, false);
	}

	static Contender raw(String backend, String name, Factory factory) {
		return new Contender(backend, name, Kind.RAW, factory, false);
	}

	/** The same contender, marked as a fair lock. */
	Contender asFair() {
		return new Contender(this.backend, this.name, this.kind, this.factory, true);
	}

	/** Whether the ratio table compares this (ours) with {@code other}: like with like, and a fair lock of ours with our non-fair one. */
	boolean comparedWith(Contender other) {
		if (other.kind == Kind.OURS) {
			return this.fair && !other.fair && other.name.equals(this.name.replace(" fair", ""));
		}
		return other.fair == this.fair;
	}
}
