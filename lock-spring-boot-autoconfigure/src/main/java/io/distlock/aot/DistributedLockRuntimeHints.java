package io.distlock.aot;

import io.distlock.annotation.DistributedLocked;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

/**
 * What the library itself loads reflectively or as a resource, for AOT processing and GraalVM native
 * images (registered in {@code META-INF/spring/aot.factories}):
 * <ul>
 * <li>{@link DistributedLocked}: its attributes are read reflectively (and {@code WhenLocked}, where present);</li>
 * <li>the JDBC backend's schema scripts {@code io/distlock/jdbc/schema-<platform>.sql}, read from the class
 * path when the lock table is created.</li>
 * </ul>
 * The Redis backend's Lua scripts are string constants, not resources. What depends on the application's
 * own classes (annotated methods, fallback methods, the types their key expressions read) is registered per
 * bean by {@link LockedMethodsAotProcessor}.
 */
public class DistributedLockRuntimeHints implements RuntimeHintsRegistrar {

	/** Where the JDBC backend's schema scripts are. */
	static final String SCHEMA_SCRIPTS = "io/distlock/jdbc/schema-*.sql";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.reflection().registerType(DistributedLocked.class, MemberCategory.INVOKE_PUBLIC_METHODS);
		String whenLocked = "io.distlock.annotation.WhenLocked";
		if (ClassUtils.isPresent(whenLocked, classLoader)) {
			hints.reflection().registerType(ClassUtils.resolveClassName(whenLocked, classLoader), MemberCategory.INVOKE_PUBLIC_METHODS);
		}
		hints.resources().registerPattern(SCHEMA_SCRIPTS);
	}
}
