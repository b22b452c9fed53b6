package io.distlock.autoconfigure;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;

/**
 * Chooses the {@link DataSource} bean that holds the lock table: the one marked {@link LockDataSource},
 * else the only candidate, else the {@code @Primary} one; otherwise startup fails naming every
 * {@code DataSource} bean and how to choose.
 *
 * <p>Decided on the bean definitions, like {@code @ConditionalOnSingleCandidate}, rather than through
 * an {@code ObjectProvider}: the messages must name the beans (the chosen one at INFO, all of them on
 * failure), and injection would also accept a bean whose name matches the parameter's, a silent
 * choice among several that the contract forbids. A marked bean counts even when it is not a default
 * candidate ({@code @Bean(defaultCandidate = false)}), as for a qualified injection point.
 */
final class LockDataSourceResolver {

	private LockDataSourceResolver() {
	}

	/** The bean chosen and why. */
	record Resolved(String beanName, DataSource dataSource, String reason) {

		/** Returns, for logs and errors, e.g. {@code DataSource bean 'locks' (marked @LockDataSource)}. */
		String describe() {
			return "DataSource bean '" + this.beanName + "' (" + this.reason + ")";
		}
	}

	/**
	 * Resolves the lock table's {@link DataSource}.
	 * @throws IllegalStateException naming the beans when none or several could be chosen
	 */
	static Resolved resolve(ConfigurableListableBeanFactory beanFactory) {
		List<String> found = Arrays.asList(beanFactory.getBeanNamesForType(DataSource.class, true, false));
		List<String> eligible = found.stream().filter((name) -> isAutowireCandidate(beanFactory, name)).toList();
		List<String> marked = eligible.stream().filter((name) -> isMarked(beanFactory, name)).toList();
		if (marked.size() > 1) {
			throw new IllegalStateException("Several DataSource beans are marked @" + LockDataSource.class.getSimpleName()
					+ ": " + quoted(marked) + "; mark only the one that holds the lock table of distributed locks");
		}
		if (marked.size() == 1) {
			return resolved(beanFactory, marked.get(0), "marked @" + LockDataSource.class.getSimpleName());
		}
		List<String> candidates = eligible.stream().filter((name) -> isDefaultCandidate(beanFactory, name)).toList();
		if (candidates.size() == 1) {
			return resolved(beanFactory, candidates.get(0), "the only one");
		}
		List<String> primary = candidates.stream().filter((name) -> isPrimary(beanFactory, name)).toList();
		if (primary.size() == 1) {
			return resolved(beanFactory, primary.get(0), "@Primary");
		}
		throw new IllegalStateException("The jdbc backend of distributed locks cannot choose among the DataSource beans "
				+ quoted(found)
				+ (primary.isEmpty() ? "" : ", of which " + quoted(primary) + " are all @Primary")
				+ ": mark the one that holds the lock table with @" + LockDataSource.class.getName()
				+ " (or make it the only @Primary one), or set " + LockBackend.PROPERTY + " to another backend");
	}

	private static Resolved resolved(ConfigurableListableBeanFactory beanFactory, String name, String reason) {
		return new Resolved(name, beanFactory.getBean(name, DataSource.class), reason);
	}

	/** Marked on its class or {@code @Bean} method (also through a meta-annotation), or in its definition. */
	private static boolean isMarked(ConfigurableListableBeanFactory beanFactory, String name) {
		return beanFactory.findAnnotationOnBean(name, LockDataSource.class) != null
				|| (definition(beanFactory, name) instanceof AbstractBeanDefinition definition
						&& definition.hasQualifier(LockDataSource.class.getName()));
	}

	private static boolean isAutowireCandidate(ConfigurableListableBeanFactory beanFactory, String name) {
		BeanDefinition definition = definition(beanFactory, name);
		return definition == null || definition.isAutowireCandidate();
	}

	private static boolean isDefaultCandidate(ConfigurableListableBeanFactory beanFactory, String name) {
		return !(definition(beanFactory, name) instanceof AbstractBeanDefinition definition) || definition.isDefaultCandidate();
	}

	private static boolean isPrimary(ConfigurableListableBeanFactory beanFactory, String name) {
		BeanDefinition definition = definition(beanFactory, name);
		return definition != null && definition.isPrimary();
	}

	/** Returns the merged definition, or {@code null} for a singleton registered without one. */
	private static @Nullable BeanDefinition definition(ConfigurableListableBeanFactory beanFactory,
			String name) {
		return beanFactory.containsBeanDefinition(name) ? beanFactory.getMergedBeanDefinition(name) : null;
	}

	private static String quoted(List<String> names) {
		return names.stream().map((name) -> "'" + name + "'").collect(Collectors.joining(", "));
	}
}
