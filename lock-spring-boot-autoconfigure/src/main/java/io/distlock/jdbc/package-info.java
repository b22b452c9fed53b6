/**
 * The JDBC backend: locks as rows of one table in PostgreSQL, MariaDB, MySQL or H2, over the
 * application's {@code DataSource}, judged by the database's clock, with waiters woken by
 * {@code LISTEN/NOTIFY} on PostgreSQL and polling elsewhere. See {@link io.distlock.jdbc.JdbcLockProvider}.
 */
@NullMarked
package io.distlock.jdbc;

import org.jspecify.annotations.NullMarked;
