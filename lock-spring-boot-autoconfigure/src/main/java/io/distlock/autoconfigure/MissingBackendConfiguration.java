package io.distlock.autoconfigure;

import io.distlock.core.LockProvider;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Imported last: when {@code distributed-lock.backend} names a backend that could not be created,
 * startup fails with a message saying which dependency or property to add, instead of silently
 * falling back to another backend.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(LockProvider.class)
@ConditionalOnProperty(LockBackend.PROPERTY)
class MissingBackendConfiguration {

	@Bean
	LockProvider missingLockProvider(Environment environment) {
		LockBackend backend = LockBackend.parse(environment.getProperty(LockBackend.PROPERTY, ""));
		throw new IllegalStateException(backend.missingMessage());
	}
}
