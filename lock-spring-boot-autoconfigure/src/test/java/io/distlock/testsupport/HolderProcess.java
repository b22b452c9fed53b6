package io.distlock.testsupport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.distlock.core.LeaseRenewer;
import io.distlock.core.LockEventListener;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;

/**
 * The body of a child "application instance" for cross-process tests. A backend's child main builds
 * its provider from its arguments and calls {@link #run(LockProvider, Duration)}; the parent drives
 * it through standard input, one command per line, and reads its answers:
 * <ul>
 * <li>{@code hold <name> <key>} → acquire (wait 30s), print {@code ACQUIRED <token>}, keep holding
 * (renewing) until {@code release} → print {@code RELEASED <stillHeld>}. Kill or pause the process
 * meanwhile to test crash release and pauses.</li>
 * <li>{@code fuzz <name> <key> <iterations> <counterFile> <holder>} → that many racy read-sleep-write
 * increments of the number in {@code counterFile} under the lock, printing one
 * {@code HOLD <line>} ({@link HistoryChecker.Hold#toLine()}) per increment, then {@code FUZZ-DONE}.</li>
 * <li>{@code exit} → release everything and exit 0.</li>
 * </ul>
 * It prints {@code READY} once the provider is usable.
 */
public final class HolderProcess {

	private HolderProcess() {
	}

	/** Serves commands from standard input until {@code exit} or end of input. */
	public static void run(LockProvider provider, Duration leaseTime) throws Exception {
		LeaseRenewer renewer = new LeaseRenewer();
		LockTemplate template = new LockTemplate(provider, renewer, Duration.ofSeconds(30), leaseTime, "", LockEventListener.NONE);
		System.out.println("READY");
		System.out.flush();
		LockHandle held = null;
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			String[] cmd = line.trim().split(" ");
			switch (cmd[0]) {
				case "hold" -> {
					Optional<LockHandle> handle = template.tryAcquire(cmd[1], arg(cmd, 2), Duration.ofSeconds(30));
					held = handle.orElse(null);
					System.out.println(handle.map((h) -> "ACQUIRED " + h.fencingToken()).orElse("NOT-ACQUIRED"));
				}
				case "release" -> {
					boolean stillHeld = held != null && held.isHeld();
					if (held != null) {
						held.close();
					}
					held = null;
					System.out.println("RELEASED " + stillHeld);
				}
				case "fuzz" -> {
					fuzz(template, cmd[1], cmd[2], Integer.parseInt(cmd[3]), Path.of(cmd[4]), cmd[5]);
					System.out.println("FUZZ-DONE");
				}
				case "exit" -> {
					if (held != null) {
						held.close();
					}
					renewer.close();
					System.out.println("BYE");
					System.out.flush();
					System.exit(0);
				}
				default -> System.out.println("UNKNOWN " + line);
			}
			System.out.flush();
		}
	}

	private static String arg(String[] cmd, int i) {
		return (cmd.length > i) ? cmd[i] : "";
	}

	private static void fuzz(LockTemplate template, String name, String key, int iterations, Path counter, String holder) throws Exception {
		for (int i = 0; i < iterations; i++) {
			try (LockHandle handle = template.tryAcquire(name, key, Duration.ofSeconds(60)).orElseThrow()) {
				long acquiredAt = System.nanoTime();
				long value = Files.exists(counter) ? Long.parseLong(Files.readString(counter).trim()) : 0;
				Thread.sleep(1);
				Files.writeString(counter, Long.toString(value + 1));
				HistoryChecker.Hold hold = new HistoryChecker.Hold(holder, handle.fencingToken(), acquiredAt, System.nanoTime(), !handle.isHeld());
				System.out.println("HOLD " + hold.toLine());
			}
		}
	}
}
