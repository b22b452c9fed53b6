package io.distlock.autoconfigure;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.env.Environment;

/** Logs, once at startup, which backend was chosen and why. */
final class BackendSelection {

	private static final Log logger = LogFactory.getLog(DistributedLockAutoConfiguration.class);

	private BackendSelection() {
	}

	/**
	 * Logs the choice at INFO.
	 * @param backend the backend chosen
	 * @param environment to tell whether the choice was explicit
	 * @param detectedBecause the reason when it was auto-detected
	 */
	static void log(LockBackend backend, Environment environment, String detectedBecause) {
		log(backend, environment, detectedBecause, "");
	}

	/**
	 * Logs the choice at INFO, with details that are shown whether the choice was explicit or not.
	 * @param backend the backend chosen
	 * @param environment to tell whether the choice was explicit
	 * @param detectedBecause the reason when it was auto-detected
	 * @param details what the backend uses, such as the bean chosen among several; may be empty
	 */
	static void log(LockBackend backend, Environment environment, String detectedBecause, String details) {
		String configured = environment.getProperty(LockBackend.PROPERTY);
		String why = (configured != null && !configured.isBlank()) ? LockBackend.PROPERTY + "=" + configured
				: detectedBecause + " (auto-detected in the order redis, zookeeper, jdbc, in-memory; set "
						+ LockBackend.PROPERTY + " to choose)";
		logger.info("Distributed locks use the " + backend.id() + " backend: " + why + (details.isEmpty() ? "" : "; " + details));
	}
}
