package io.distlock.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.distlock.annotation.DistributedLocked;
import io.distlock.core.Durations;
import io.distlock.core.LockProvider;
import io.distlock.zookeeper.ZookeeperLockProvider;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

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

	private static final Log logger = LogFactory.getLog(DistributedLockAutoConfiguration.class);

	static final String CONNECT_STRING = "distributed-lock.zookeeper.connect-string";

	private static final String LEASE_TIME = "distributed-lock.lease-time";

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
		String connectString = zk.getConnectString();
		if (connectString == null || connectString.isBlank()) {
			// detection found a CuratorFramework bean that is not injected by type (@Bean(defaultCandidate = false))
			throw new IllegalStateException("The zookeeper lock backend needs a CuratorFramework bean that can be injected by "
					+ "type, or " + CONNECT_STRING + " for a client of its own; neither is there");
		}
		CuratorFramework client = CuratorFrameworkFactory.builder()
			.connectString(connectString.trim())
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
		ZookeeperLockProperties zk = properties.getZookeeper();
		String basePath = zk.getBasePath();
		try {
			ZookeeperLockProvider.validateBasePath(basePath);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("Invalid distributed-lock.zookeeper.base-path='" + basePath + "': " + ex.getMessage());
		}
		try {
			ZookeeperLockProvider.validateSuspendedGracePercent(zk.getSuspendedGracePercent());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("Invalid distributed-lock.zookeeper.suspended-grace-percent=" + zk.getSuspendedGracePercent()
					+ ": " + ex.getMessage());
		}
		millis("distributed-lock.zookeeper.operation-timeout", zk.getOperationTimeout());
		ZookeeperLockProvider provider = new ZookeeperLockProvider(client, basePath, zk.getSuspendedGracePercent(), zk.getOperationTimeout());
		BackendSelection.log(LockBackend.ZOOKEEPER, environment, startersClient(names) ? CONNECT_STRING + " is set"
				: "found a CuratorFramework bean ('" + String.join("', '", names) + "')");
		return provider;
	}

	/**
	 * Says once at startup that lease times configured for locks do not apply here, and what does: a
	 * ZooKeeper lock lives as long as its client's session.
	 */
	@Bean
	static SmartInitializingSingleton zookeeperLeaseTimeNotice(ConfigurableListableBeanFactory beanFactory, Environment environment) {
		return () -> {
			List<String> where = new ArrayList<>();
			Binder.get(environment).bind(LEASE_TIME, Duration.class).ifBound((lease) -> where.add(LEASE_TIME + "=" + Durations.format(lease)));
			Set<String> methods = leasedMethods(beanFactory);
			if (!methods.isEmpty()) {
				where.add("leaseTime on @DistributedLocked " + String.join(", ", methods.stream().limit(5).toList())
						+ ((methods.size() > 5) ? " and " + (methods.size() - 5) + " more method(s)" : ""));
			}
			if (where.isEmpty()) {
				return;
			}
			ZookeeperLockProvider provider = beanFactory.getBean(ZookeeperLockProvider.class);
			String[] names = beanFactory.getBeanNamesForType(CuratorFramework.class);
			String session = startersClient(names) ? "distributed-lock.zookeeper.session-timeout="
					+ Durations.format(Binder.get(environment).bind("distributed-lock.zookeeper.session-timeout", Duration.class)
						.orElse(new ZookeeperLockProperties().getSessionTimeout()))
					: "the session timeout of the CuratorFramework bean";
			logger.info("leaseTime does not apply to the zookeeper backend (" + String.join("; ", where) + "): a ZooKeeper lock lasts "
					+ "as long as its client's session. A crashed holder's lock frees itself when the ensemble expires the session ("
					+ session + "), and a holder cut off from the ensemble reports its locks lost once its connection stayed SUSPENDED for "
					+ provider.getSuspendedGracePercent() + "% of the session timeout (distributed-lock.zookeeper.suspended-grace-percent)");
		};
	}

	/** Returns {@code Class.method} of every bean method whose {@code @DistributedLocked} sets a lease time. */
	private static Set<String> leasedMethods(ConfigurableListableBeanFactory beanFactory) {
		Set<String> methods = new LinkedHashSet<>();
		for (String name : beanFactory.getBeanDefinitionNames()) {
			Class<?> type = beanFactory.getType(name, false);
			if (type == null || !AnnotationUtils.isCandidateClass(type, DistributedLocked.class)) {
				continue;
			}
			Class<?> userClass = ClassUtils.getUserClass(type);
			ReflectionUtils.doWithMethods(userClass, (method) -> {
				DistributedLocked locked = AnnotatedElementUtils.findMergedAnnotation(method, DistributedLocked.class);
				if (locked != null && !locked.leaseTime().isEmpty()) {
					methods.add(userClass.getSimpleName() + "." + method.getName());
				}
			}, ReflectionUtils.USER_DECLARED_METHODS);
		}
		return methods;
	}

	private static boolean startersClient(String[] curatorBeanNames) {
		return curatorBeanNames.length == 1 && curatorBeanNames[0].equals(CLIENT_BEAN);
	}

	private static int millis(String property, @Nullable Duration duration) {
		if (duration == null || duration.isNegative() || duration.isZero() || duration.toMillis() > Integer.MAX_VALUE) {
			throw new IllegalStateException("Invalid " + property + "=" + duration + ": must be a positive duration of at most "
					+ Integer.MAX_VALUE + "ms");
		}
		return (int) duration.toMillis();
	}

	/** Returns why a ZooKeeper client is available, or {@code null}: a CuratorFramework bean or a connect string. */
	static @Nullable String detectClient(ConditionContext context) {
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
		@Nullable String detect(ConditionContext context) {
			return detectClient(context);
		}
	}
}
