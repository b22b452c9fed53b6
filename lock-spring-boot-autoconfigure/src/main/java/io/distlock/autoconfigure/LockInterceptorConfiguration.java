package io.distlock.autoconfigure;

import io.distlock.core.LockTemplate;
import io.distlock.interceptor.FairLockCheck;
import io.distlock.interceptor.LockExpressionEvaluator;
import io.distlock.interceptor.LockInterceptor;
import io.distlock.interceptor.LockOperationSource;
import io.distlock.interceptor.LockOperationSourceAdvisor;
import io.distlock.interceptor.ProxyReachabilityCheck;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * The {@code @DistributedLocked} advisor. Its beans are infrastructure: they are created early by the
 * auto-proxy creator, so they depend on nothing but the bean factory; the {@link LockTemplate} (and
 * with it the backend) is looked up on the first locked call, and checked against fair methods once
 * every singleton exists. A check after proxying fails startup for a locked method that a JDK proxy
 * cannot reach.
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
@Import(LockInterceptorConfiguration.AutoProxyRegistrar.class)
class LockInterceptorConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static LockOperationSource lockOperationSource(ConfigurableBeanFactory beanFactory) {
		return new LockOperationSource(new EmbeddedValueResolver(beanFactory), new LockExpressionEvaluator(beanFactory));
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static LockInterceptor lockInterceptor(LockOperationSource lockOperationSource, ObjectProvider<LockTemplate> lockTemplate) {
		return new LockInterceptor(lockOperationSource, lockTemplate::getObject);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static LockOperationSourceAdvisor distributedLockAdvisor(LockOperationSource lockOperationSource,
			LockInterceptor lockInterceptor, Environment environment) {
		LockOperationSourceAdvisor advisor = new LockOperationSourceAdvisor(lockOperationSource);
		advisor.setAdvice(lockInterceptor);
		advisor.setOrder(environment.getProperty("distributed-lock.order", Integer.class, DistributedLockProperties.DEFAULT_ORDER));
		return advisor;
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static ProxyReachabilityCheck distributedLockProxyReachabilityCheck(LockOperationSource lockOperationSource) {
		return new ProxyReachabilityCheck(lockOperationSource);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static FairLockCheck distributedLockFairLockCheck(LockOperationSource lockOperationSource,
			ObjectProvider<LockTemplate> lockTemplate) {
		return new FairLockCheck(lockOperationSource, lockTemplate);
	}

	/**
	 * Makes sure an auto-proxy creator exists even without Spring Boot's AOP auto-configuration, and
	 * proxies classes (Spring Boot's default) unless {@code spring.aop.proxy-target-class=false}.
	 */
	static class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

		@SuppressWarnings("NullAway.Init") // set by Spring (EnvironmentAware) before registerBeanDefinitions
		private Environment environment;

		@Override
		public void setEnvironment(Environment environment) {
			this.environment = environment;
		}

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
			if (this.environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true)) {
				AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
			}
		}
	}
}
