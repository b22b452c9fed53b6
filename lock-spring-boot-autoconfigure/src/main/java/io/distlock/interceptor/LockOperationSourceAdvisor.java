package io.distlock.interceptor;

import java.lang.reflect.Method;

import org.springframework.aop.ClassFilter;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractBeanFactoryPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * The advisor that applies {@link LockInterceptor} to every bean with a {@code @DistributedLocked}
 * method. Needs no AspectJ weaver: any Spring auto-proxy creator picks it up.
 */
public class LockOperationSourceAdvisor extends AbstractBeanFactoryPointcutAdvisor {

	private static final long serialVersionUID = 1L;

	private final transient LockOperationSource source;

	private final transient Pointcut pointcut;

	/** Creates the advisor over {@code source}. */
	public LockOperationSourceAdvisor(LockOperationSource source) {
		this.source = source;
		this.pointcut = new StaticMethodMatcherPointcut() {

			{
				setClassFilter(new ClassFilter() {
					@Override
					public boolean matches(Class<?> clazz) {
						return LockOperationSourceAdvisor.this.source.isCandidateClass(clazz);
					}
				});
			}

			@Override
			public boolean matches(Method method, Class<?> targetClass) {
				return LockOperationSourceAdvisor.this.source.getOperation(method, targetClass) != null;
			}
		};
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}
}
