package io.distlock.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Qualifies the {@link javax.sql.DataSource} bean that holds the lock table of the jdbc backend, like
 * Spring Boot's {@code @QuartzDataSource} and {@code @FlywayDataSource}.
 *
 * <p>The marked bean is used even when another one is {@code @Primary}, and also when it is declared
 * with {@code @Bean(defaultCandidate = false)} so that the rest of the application never injects it
 * by accident. Without a marked bean, the only {@code DataSource} bean or the {@code @Primary} one is
 * used. Startup fails, naming the beans, when several are marked, or when there are several and
 * none is marked or primary: the starter never falls back to another backend silently.
 *
 * <pre class="code">
 * &#064;Bean(defaultCandidate = false) // Spring Boot still creates the application's own DataSource
 * &#064;LockDataSource
 * &#064;ConfigurationProperties("app.locks.datasource")
 * DataSource lockDataSource() {
 *     return DataSourceBuilder.create().build();
 * }
 * </pre>
 *
 * @see JdbcLockProperties
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface LockDataSource {

}
