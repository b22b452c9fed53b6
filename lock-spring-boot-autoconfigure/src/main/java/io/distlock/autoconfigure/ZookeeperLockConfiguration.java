package io.distlock.autoconfigure;

import java.time.Duration;

import io.distlock.core.LockProvider;
import io.distlock.zookeeper.ZookeeperLockProvider;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The zookeeper backend: a {@link ZookeeperLockProvider} on the application's {@link CuratorFramework}
 * bean, or on a client the starter creates, starts and closes from
 * {@code distributed-lock.zookeeper.connect-string}. Without either, an explicit
 * {@code distributed-lock.backend=zookeeper} fails startup (see {@link MissingBackendConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.apache.curator.framework.CuratorFramework")
@ConditionalOnMissingBean(LockProvider.class)
@Conditional(ZookeeperLockConfiguration.ZookeeperCondition.class)
class ZookeeperLockConfiguration {

	static final String CONNECT_STRING = "distributed-lock.zookeeper.connect-string";

	private static final String CLIENT_BEAN = "distributedLockCuratorFramework";

	/** The starter's own client; a user's CuratorFramework bean replaces it. */
	@Bean(name = CLIENT_BEAN, destroyMethod = "close")
	@ConditionalOnMissingBean(CuratorFramework.class)
	CuratorFramework distributedLockCuratorFramework(DistributedLockProperties properties) {
		ZookeeperLockProperties zk = properties.getZookeeper();
		ZookeeperLockProperties.Retry retry = zk.getRetry();
		if (retry.getMaxRetries() < 0) {
			throw new IllegalStateException("Invalid distributed-lock.zookeeper.retry.max-retries=" + retry.getMaxRetries() + ": must not be negative");
		}
		CuratorFramework client = CuratorFrameworkFactory.builder()
			.connectString(zk.getConnectString().trim())
			.sessionTimeoutMs(millis("distributed-lock.zookeeper.session-timeout", zk.getSessionTimeout()))
			.connectionTimeoutMs(millis("distributed-lock.zookeeper.connection-timeout", zk.getConnectionTimeout()))
			.retryPolicy(new ExponentialBackoffRetry(millis("distributed-lock.zookeeper.retry.base-sleep-time", retry.getBaseSleepTime()),
					retry.getMaxRetries(), millis("distributed-lock.zookeeper.retry.max-sleep-time", retry.getMaxSleepTime())))
			.build();
		client.start();
		return client;
	}

	@Bean
	ZookeeperLockProvider zookeeperLockProvider(ObjectProvider<CuratorFramework> clients, ListableBeanFactory beanFactory,
			DistributedLockProperties properties, Environment environment) {
		String[] names = beanFactory.getBeanNamesForType(CuratorFramework.class);
		CuratorFramework client = clients.getIfUnique();
		if (client == null) {
			throw new IllegalStateException("The zookeeper lock backend needs exactly one CuratorFramework bean, found "
					+ names.length + " " + String.join(", ", names) + ": mark one @Primary");
		}
		String basePath = properties.getZookeeper().getBasePath();
		ZookeeperLockProvider provider;
		try {
			provider = new ZookeeperLockProvider(client, basePath);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("Invalid distributed-lock.zookeeper.base-path='" + basePath + "': " + ex.getMessage());
		}
		String reason = (names.length == 1 && names[0].equals(CLIENT_BEAN)) ? CONNECT_STRING + " is set"
				: "found a CuratorFramework bean ('" + String.join("', '", names) + "')";
		BackendSelection.log(LockBackend.ZOOKEEPER, environment, reason);
		return provider;
	}

	private static int millis(String property, Duration duration) {
		if (duration == null || duration.isNegative() || duration.isZero() || duration.toMillis() > Integer.MAX_VALUE) {
			throw new IllegalStateException("Invalid " + property + "=" + duration + ": must be a positive duration of at most "
					+ Integer.MAX_VALUE + "ms");
		}
		return (int) duration.toMillis();
	}

	/** Returns why a ZooKeeper client is available, or {@code null}: a CuratorFramework bean or a connect string. */
	static String detectClient(ConditionContext context) {
		String bean = BackendCondition.beanPresent(context, "org.apache.curator.framework.CuratorFramework");
		if (bean != null) {
			return bean;
		}
		String connectString = context.getEnvironment().getProperty(CONNECT_STRING);
		return (connectString != null && !connectString.isBlank()) ? CONNECT_STRING + " is set" : null;
	}

	static class ZookeeperCondition extends BackendCondition {

		ZookeeperCondition() {
			super(LockBackend.ZOOKEEPER);
		}

		@Override
		String detect(ConditionContext context) {
			return detectClient(context);
		}
	}
}
