package io.distlock.autoconfigure;

import io.distlock.actuate.LocksEndpoint;
import io.distlock.core.LockTemplate;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code locks} actuator endpoint, when the actuator is present and the endpoint is available
 * (enabled and exposed: {@code management.endpoints.web.exposure.include=health,locks}).
 */
@AutoConfiguration(after = DistributedLockAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(LockTemplate.class)
@ConditionalOnAvailableEndpoint(LocksEndpoint.class)
public class DistributedLockEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LocksEndpoint locksEndpoint(LockTemplate lockTemplate) {
		return new LocksEndpoint(lockTemplate);
	}
}
