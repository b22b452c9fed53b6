package io.distlock.benchmarks;

/**
 * One lock implementation in the comparison.
 *
 * @param backend {@code redis}, {@code zookeeper} or {@code jdbc}: contenders are compared within a backend
 * @param name the row label, e.g. {@code redisson} or {@code ours (LockTemplate)}
 * @param kind whether this is ours, a peer library, or the raw limit
 * @param factory opens the contender on one application instance
 */
public record Contender(String backend, String name, Kind kind, Factory factory) {

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
		return new Contender(backend, name, Kind.OURS, factory);
	}

	static Contender peer(String backend, String name, Factory factory) {
		return new Contender(backend, name, Kind.PEER, factory);
	}

	static Contender raw(String backend, String name, Factory factory) {
		return new Contender(backend, name, Kind.RAW, factory);
	}
}
