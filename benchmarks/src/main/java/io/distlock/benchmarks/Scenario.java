package io.distlock.benchmarks;

/**
 * One throughput scenario: {@code threads} threads doing lock+unlock in a loop, split over the two
 * application instances; {@code contended}: all on one key, else each thread on its own key.
 */
record Scenario(int threads, boolean contended) {

	/** Column label: {@code 4t one key}, {@code 4t own keys}, or {@code 1t} for one thread. */
	String label() {
		if (this.threads == 1) {
			return "1t";
		}
		return this.threads + "t " + (this.contended ? "one key" : "own keys");
	}
}
