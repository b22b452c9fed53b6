package io.distlock.interceptor;

import java.lang.reflect.Method;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;

/**
 * Fails startup when a bean is proxied through its interfaces (a JDK proxy, with
 * {@code spring.aop.proxy-target-class=false}) and has a {@code @DistributedLocked} method that none of
 * those interfaces declares: callers can never reach it through the proxy, so it would never be locked.
 * Runs after the auto-proxy creator, so it sees the proxy that callers get.
 */
public class ProxyReachabilityCheck implements BeanPostProcessor {

	private final LockOperationSource source;

	/** Creates a check over the operations {@code source} reads. */
	public ProxyReachabilityCheck(LockOperationSource source) {
		this.source = source;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!AopUtils.isJdkDynamicProxy(bean) || !(bean instanceof Advised advised)) {
			return bean;
		}
		Class<?> targetClass = AopProxyUtils.ultimateTargetClass(bean);
		Class<?>[] interfaces = advised.getProxiedInterfaces();
		for (LockOperation operation : this.source.operationsOf(targetClass)) {
			Method method = operation.method();
			if (!declaredByAny(interfaces, method)) {
				throw new BeanCreationException(beanName, "@DistributedLocked method "
						+ ClassUtils.getQualifiedMethodName(method, targetClass) + " cannot be reached through the bean's JDK proxy,"
						+ " which only implements " + names(interfaces) + ": calls would run unlocked. Declare the method on"
						+ " one of those interfaces, or proxy the class (spring.aop.proxy-target-class=true)");
			}
		}
		return bean;
	}

	private static boolean declaredByAny(Class<?>[] interfaces, Method method) {
		for (Class<?> ifc : interfaces) {
			if (ClassUtils.hasMethod(ifc, method.getName(), method.getParameterTypes())) {
				return true;
			}
		}
		return false;
	}

	private static String names(Class<?>[] interfaces) {
		return String.join(", ", java.util.Arrays.stream(interfaces).map(Class::getName).toList());
	}
}
