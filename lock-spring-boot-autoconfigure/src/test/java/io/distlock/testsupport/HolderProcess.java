package io.distlock.testsupport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import io.distlock.core.LeaseRenewer;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockEventListener;
import io.distlock.core.LockHandle;
import io.distlock.core.LockSpec;
import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;

/**
 * The body of a child "application instance" for cross-process tests. A backend's child main builds
 * its provider from its arguments and calls {@link #run(LockProvider, Duration)}; the parent drives
 * it through standard input, one command per line, and reads its answers:
 * <ul>
 * <li>{@code hold <name> <key>} → acquire (wait 30s), print {@code ACQUIRED <token>}, keep holding
 * (renewing) until {@code release} → print {@code HOLD <line>} (holder {@code pid<pid>}) and
 * {@code RELEASED <stillHeld>}. Kill or pause the process
 * meanwhile to test crash release and pauses.</li>
 * <li>{@code fuzz <name> <key> <iterations> <counterFile> <holder>} → that many racy read-sleep-write
 * increments of the number in {@code counterFile} under the lock, printing one
 * {@code HOLD <line>} ({@link HistoryChecker.Hold#toLine()}) per increment, then {@code FUZZ-DONE}.</li>
 * <li>{@code try <name> <key>} → like {@code hold} but tries once (no wait): {@code TRIED ACQUIRED <token>}
 * or {@code TRIED NOT-ACQUIRED}.</li>
 * <li>{@code hold-min <name> <key> <minHoldMillis>} → like {@code hold}, with that minimum hold time.</li>
 * <li>{@code held} → {@code HELD <isHeld>} of the lock this instance holds ({@code false} if none).</li>
 * <li>{@code write <storeFile> <value>} → writes to the {@link FencedStore} with the held lock's token:
 * {@code WRITE-ACCEPTED <token>} or {@code WRITE-REJECTED <token>}.</li>
 * <li>{@code fenced-fuzz <name> <key> <iterations> <storeFile> <holder>} → that many increments of the
 * {@link FencedStore}'s counter under the lock, each printing {@code LOCKED <token>} once acquired, then
 * {@code HOLD <line>} and {@code WRITE <token> <accepted>}; then {@code FENCED-FUZZ-DONE}.</li>
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
		long heldAt = 0;
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			String[] cmd = line.trim().split(" ");
			switch (cmd[0]) {
				case "hold", "try" -> {
					// "try name key [waitMillis]": once by default, or allowing for a release still on its way
					Duration wait = cmd[0].equals("hold") ? Duration.ofSeconds(30)
							: Duration.ofMillis((cmd.length > 3) ? Long.parseLong(cmd[3]) : 0);
					Optional<LockHandle> handle = template.tryAcquire(cmd[1], arg(cmd, 2), wait);
					held = handle.orElse(null);
					heldAt = System.nanoTime();
					String answer = handle.map((h) -> "ACQUIRED " + h.fencingToken()).orElse("NOT-ACQUIRED");
					System.out.println(cmd[0].equals("try") ? "TRIED " + answer : answer);
				}
				case "hold-min" -> {
					// "hold-min name key minHoldMillis": like hold, with a minimum hold time
					held = template.acquire(LockSpec.of(cmd[1], cmd[2]).waitTime(Duration.ofSeconds(30))
						.minHoldTime(Duration.ofMillis(Long.parseLong(cmd[3]))));
					heldAt = System.nanoTime();
					System.out.println("ACQUIRED " + held.fencingToken());
				}
				case "held" -> System.out.println("HELD " + (held != null && held.isHeld()));
				case "write" -> {
					long token = held.fencingToken();
					boolean accepted = new FencedStore(Path.of(cmd[1])).write(token, Long.parseLong(cmd[2]));
					System.out.println((accepted ? "WRITE-ACCEPTED " : "WRITE-REJECTED ") + token);
				}
				case "fenced-fuzz" -> {
					fencedFuzz(template, cmd[1], cmd[2], Integer.parseInt(cmd[3]), new FencedStore(Path.of(cmd[4])), cmd[5]);
					System.out.println("FENCED-FUZZ-DONE");
				}
				case "release" -> {
					boolean stillHeld = held != null && held.isHeld();
					if (held != null) {
						held.close();
						String holder = "pid" + ProcessHandle.current().pid();
						System.out.println("HOLD " + new HistoryChecker.Hold(holder, held.fencingToken(), heldAt, System.nanoTime(), !stillHeld).toLine());
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

	/**
	 * Increments the fenced counter under the lock: read with the token, pause (a window for the test to
	 * SIGSTOP this process inside the critical section), write with the token.
	 */
	private static void fencedFuzz(LockTemplate template, String name, String key, int iterations, FencedStore store, String holder)
			throws Exception {
		int failures = 0;
		for (int i = 0; i < iterations;) {
			Optional<LockHandle> acquired;
			try {
				acquired = template.tryAcquire(name, key, Duration.ofSeconds(60));
			}
			catch (LockAcquisitionException ex) {
				// e.g. a ZooKeeper session lost during a pause: an application retries, and so does this
				System.out.println("ACQUIRE-FAILED " + ex.getMessage());
				if (++failures > 20) {
					throw ex;
				}
				Thread.sleep(100);
				continue;
			}
			try (LockHandle handle = acquired.orElseThrow()) {
				long acquiredAt = System.nanoTime();
				System.out.println("LOCKED " + handle.fencingToken());
				System.out.flush();
				OptionalLong value = store.read(handle.fencingToken());
				Thread.sleep(50);
				boolean accepted = value.isPresent() && store.write(handle.fencingToken(), value.getAsLong() + 1);
				HistoryChecker.Hold hold = new HistoryChecker.Hold(holder, handle.fencingToken(), acquiredAt, System.nanoTime(), !handle.isHeld());
				System.out.println("HOLD " + hold.toLine());
				System.out.println("WRITE " + handle.fencingToken() + " " + accepted);
				System.out.flush();
			}
			i++;
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
