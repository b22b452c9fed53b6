/**
 * The ZooKeeper backend: locks as queues of ephemeral-sequential znodes through an Apache Curator client,
 * where the client's session is the lease and a connection suspended too long reports its locks lost.
 * See {@link io.distlock.zookeeper.ZookeeperLockProvider}.
 */
@NullMarked
package io.distlock.zookeeper;

import org.jspecify.annotations.NullMarked;
