package io.distlock.autoconfigure;

import io.distlock.core.LockProvider;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/** The zookeeper backend: NOT YET IMPLEMENTED (a provider bean is added by the zookeeper backend work). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.apache.curator.framework.CuratorFramework")
@ConditionalOnMissingBean(LockProvider.class)
@Conditional(ZookeeperLockConfiguration.ZookeeperCondition.class)
class ZookeeperLockConfiguration {

	// TODO: @Bean LockProvider ...; call BackendSelection.log(LockBackend.ZOOKEEPER, environment, reason)

	static class ZookeeperCondition extends BackendCondition {

		ZookeeperCondition() {
			super(LockBackend.ZOOKEEPER);
		}

		@Override
		String detect(ConditionContext context) {
			return beanPresent(context, "org.apache.curator.framework.CuratorFramework");
		}
	}
}
