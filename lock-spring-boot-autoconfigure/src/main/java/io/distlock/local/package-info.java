/**
 * The in-memory backend: locks that exclude the threads and application contexts of one JVM only, for
 * tests, single-instance applications and as the fallback when no backend client is present.
 */
@NullMarked
package io.distlock.local;

import org.jspecify.annotations.NullMarked;
