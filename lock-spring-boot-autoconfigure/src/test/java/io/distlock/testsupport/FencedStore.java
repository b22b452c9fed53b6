package io.distlock.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * The protected storage of the chaos tests: one counter in a file, shared by processes, that honours
 * fencing tokens. It remembers the highest token any accepted operation carried and rejects every
 * read or write that carries a lower one: a holder paused past its lease comes back with a token lower
 * than its successor's and can change nothing. A holder's own read and later write carry the same
 * token, so "higher than any seen" is checked against the other holders' tokens: equal is accepted.
 *
 * <p>Each operation holds an exclusive OS file lock, so it is atomic across processes. The file holds
 * one line: {@code highestToken value accepted rejected}.
 */
public final class FencedStore {

	private final Path file;

	public FencedStore(Path file) {
		this.file = file;
	}

	/** The store's state. */
	public record State(long highestToken, long value, long acceptedWrites, long rejected) {
	}

	/** Reads the value as the holder of {@code token}; empty if the token is stale (the read is rejected). */
	public OptionalLong read(long token) {
		long[] result = new long[1];
		boolean accepted = update((s) -> {
			if (token < s.highestToken()) {
				return new State(s.highestToken(), s.value(), s.acceptedWrites(), s.rejected() + 1);
			}
			result[0] = s.value();
			return new State(token, s.value(), s.acceptedWrites(), s.rejected());
		});
		return accepted ? OptionalLong.of(result[0]) : OptionalLong.empty();
	}

	/** Writes {@code value} as the holder of {@code token}; returns whether the store accepted it. */
	public boolean write(long token, long value) {
		return update((s) -> (token < s.highestToken())
				? new State(s.highestToken(), s.value(), s.acceptedWrites(), s.rejected() + 1)
				: new State(token, value, s.acceptedWrites() + 1, s.rejected()));
	}

	/** Returns the current state. */
	public State state() {
		synchronized (FencedStore.class) {
			try (FileChannel channel = open(); FileLock lock = channel.lock()) {
				return readState(channel);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	private boolean update(UnaryOperator<State> change) {
		synchronized (FencedStore.class) { // a JVM may hold one lock on a file at a time
			try (FileChannel channel = open(); FileLock lock = channel.lock()) {
				State before = readState(channel);
				State after = change.apply(before);
				byte[] line = (after.highestToken() + " " + after.value() + " " + after.acceptedWrites() + " " + after.rejected() + "\n")
					.getBytes(StandardCharsets.UTF_8);
				channel.truncate(0);
				channel.write(ByteBuffer.wrap(line), 0);
				channel.force(false);
				return after.rejected() == before.rejected();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	private FileChannel open() throws IOException {
		return FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
	}

	private static State readState(FileChannel channel) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(channel.size(), 1));
		channel.read(buffer, 0);
		String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).trim();
		if (text.isEmpty()) {
			return new State(Long.MIN_VALUE, 0, 0, 0);
		}
		String[] parts = text.split(" ");
		return new State(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]));
	}
}
