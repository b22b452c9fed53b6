package io.distlock.actuate;

import java.util.Map;

import io.distlock.core.LockProvider;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the lock backend, as the contributor {@code distributedLock}: {@code UP} with the detail
 * {@code backend} and what {@link LockProvider#checkHealth()} reports (server version, connection or
 * subscription state, ...) while the backend answers; {@code DOWN} with the backend and the reason
 * (the detail {@code error}) when it does not. Never shows the keys of held locks.
 */
public class DistributedLockHealthIndicator implements HealthIndicator {

	private static final Log logger = LogFactory.getLog(DistributedLockHealthIndicator.class);

	private final LockProvider provider;

	/** Creates an indicator that asks {@code provider}. */
	public DistributedLockHealthIndicator(LockProvider provider) {
		this.provider = provider;
	}

	@Override
	public Health health() {
		Health.Builder builder = Health.unknown().withDetail("backend", this.provider.backendName());
		try {
			@Nullable Map<String, Object> details = this.provider.checkHealth();
			return builder.up().withDetails((details != null) ? details : Map.of()).build();
		}
		catch (Exception ex) {
			// health is polled every few seconds: one line, not a stack trace each time
			logger.debug("Lock backend " + this.provider.backendName() + " is down", ex);
			return builder.down(ex).build();
		}
	}
}
