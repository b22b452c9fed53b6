/**
 * Ahead-of-time processing support: runtime hints for what the library and the interceptor reach by
 * reflection or as resources (GraalVM native images, {@code -Dspring.aot.enabled=true}).
 */
@NullMarked
package io.distlock.aot;

import org.jspecify.annotations.NullMarked;
