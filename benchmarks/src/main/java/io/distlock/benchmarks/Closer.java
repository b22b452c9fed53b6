package io.distlock.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** Closes what was opened, last first, reporting (not throwing) what fails: a benchmark must still print. */
final class Closer implements AutoCloseable {

	private final List<AutoCloseable> opened = new ArrayList<>();

	/** Registers {@code resource} to be closed by {@link #close()}. */
	<T extends AutoCloseable> T add(T resource) {
		this.opened.add(resource);
		return resource;
	}

	@Override
	public void close() {
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			try {
				this.opened.get(i).close();
			}
			catch (Exception ex) {
				System.err.println("[bench] could not close " + this.opened.get(i) + ": " + ex);
			}
		}
		this.opened.clear();
	}
}
