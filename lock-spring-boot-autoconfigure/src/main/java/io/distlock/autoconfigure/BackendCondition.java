package io.distlock.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Matches the configuration of one backend when the application has that backend's client and
 * {@code distributed-lock.backend} names it or is unset. Backend configurations are
 * imported in detection order and each is {@code @ConditionalOnMissingBean(LockProvider.class)}, so
 * the first one that matches wins.
 */
abstract class BackendCondition extends SpringBootCondition implements ConfigurationCondition {

	private final LockBackend backend;

	BackendCondition(LockBackend backend) {
		this.backend = backend;
	}

	@Override
	public ConfigurationPhase getConfigurationPhase() {
		return ConfigurationPhase.REGISTER_BEAN;
	}

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		String configured = context.getEnvironment().getProperty(LockBackend.PROPERTY);
		if (configured != null && !configured.isBlank()) {
			LockBackend chosen = LockBackend.parse(configured);
			if (chosen != this.backend) {
				return ConditionOutcome.noMatch(LockBackend.PROPERTY + "=" + configured);
			}
			// named, but its client is missing: back off, and MissingBackendConfiguration fails startup with advice
			return (detect(context) != null) ? ConditionOutcome.match(LockBackend.PROPERTY + "=" + configured)
					: ConditionOutcome.noMatch(LockBackend.PROPERTY + "=" + configured + ", but no client for it");
		}
		String reason = detect(context);
		return (reason != null) ? ConditionOutcome.match(reason)
				: ConditionOutcome.noMatch("no client for the " + this.backend.id() + " backend");
	}

	/** Returns why this backend was detected, or {@code null} if the application lacks its client. */
	abstract @Nullable String detect(ConditionContext context);

	/** Returns a detection reason if a bean of the named type exists, else {@code null}. */
	static @Nullable String beanPresent(ConditionContext context, String typeName) {
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		if (beanFactory == null || !ClassUtils.isPresent(typeName, context.getClassLoader())) {
			return null;
		}
		Class<?> type = ClassUtils.resolveClassName(typeName, context.getClassLoader());
		String[] names = beanFactory.getBeanNamesForType(type, true, false);
		return (names.length > 0) ? "found a " + ClassUtils.getShortName(typeName) + " bean ('" + names[0] + "')" : null;
	}
}
