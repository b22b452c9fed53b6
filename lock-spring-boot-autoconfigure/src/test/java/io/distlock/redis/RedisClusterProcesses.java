package io.distlock.redis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;

/**
 * A Redis Cluster of local {@code redis-server} processes ({@link RedisServerProcess}), formed from the
 * client as {@code redis-cli --cluster create} would (no redis-cli is needed): masters only, the 16384
 * slots split evenly, {@code CLUSTER MEET}, {@code CLUSTER ADDSLOTS}, then a wait until every node
 * reports {@code cluster_state:ok} and all nodes agree on who serves which slots. Node configuration
 * files live in {@code java.io.tmpdir} (the build directory) and are deleted on {@link #close()}.
 *
 * <p>Public for the benchmarks ({@code benchmarks/run.sh cluster=true}), which start their cluster with it.
 *
 * <p>Ports: Redis 6.2 (the shipped binary) puts the cluster bus on port + 10000 and cannot move it, so
 * both must be free. They are picked at random below the Linux ephemeral range (32768+), where no
 * client connection takes them meanwhile.
 */
public final class RedisClusterProcesses implements AutoCloseable {

	static final int SLOTS = 16384;

	private static final int BUS_PORT_OFFSET = 10000;

	private static final int LOWEST_PORT = 10000;

	private static final int HIGHEST_PORT = 22000;

	/**
	 * Generous: no node is ever declared failed because a loaded 2-core machine (or a long MIGRATE)
	 * delayed its answers; these tests never fail a node over.
	 */
	private static final String NODE_TIMEOUT_MS = "15000";

	private static final Set<NodeFlag> UNHEALTHY = EnumSet.of(NodeFlag.HANDSHAKE, NodeFlag.NOADDR, NodeFlag.EVENTUAL_FAIL,
			NodeFlag.FAIL);

	private final List<RedisServerProcess> nodes = new ArrayList<>();

	private final List<Path> configFiles = new ArrayList<>();

	private final List<RedisClient> clients = new ArrayList<>();

	private final List<RedisCommands<String, String>> admins = new ArrayList<>();

	private final List<String> ids = new ArrayList<>();

	private RedisClusterProcesses() {
	}

	/** Starts {@code masters} nodes and forms them into one cluster whose state is ok on every node. */
	public static RedisClusterProcesses start(int masters) throws Exception {
		RedisClusterProcesses cluster = new RedisClusterProcesses();
		try {
			for (int i = 0; i < masters; i++) {
				cluster.startNode();
			}
			cluster.form();
			return cluster;
		}
		catch (Throwable ex) {
			cluster.close();
			throw ex;
		}
	}

	/** Returns {@code host:port,host:port,...}, the form of {@code spring.data.redis.cluster.nodes}. */
	public String nodesProperty() {
		return this.nodes.stream().map((node) -> "127.0.0.1:" + node.port()).collect(Collectors.joining(","));
	}

	int size() {
		return this.nodes.size();
	}

	int port(int node) {
		return this.nodes.get(node).port();
	}

	/** A connection to one node alone (no redirects followed), for administration and inspection. */
	RedisCommands<String, String> node(int node) {
		return this.admins.get(node);
	}

	/** Returns the index of the node that serves {@code slot}, as node 0 sees it. */
	int ownerOf(int slot) {
		Partitions partitions = ClusterPartitionParser.parse(node(0).clusterNodes());
		RedisClusterNode owner = partitions.getPartitionBySlot(slot);
		if (owner == null) {
			throw new IllegalStateException("no node serves slot " + slot);
		}
		return this.ids.indexOf(owner.getNodeId());
	}

	/**
	 * Moves {@code slot} to node {@code target} the way {@code redis-cli --cluster reshard} does, with a
	 * pause after each step so that clients run against every intermediate state: the target IMPORTING
	 * and the source MIGRATING the slot (keys still on the source), then every key MIGRATEd (keys on the
	 * target, slot still migrating), then {@code CLUSTER SETSLOT ... NODE} on every node. Keys written
	 * meanwhile are moved too (the loop runs until the source has none left in the slot).
	 * @param atEachStep called at the end of each of the two pauses, with the state's description
	 * @return how many keys were moved
	 */
	int moveSlot(int slot, int target, Duration pause, Consumer<String> atEachStep) throws InterruptedException {
		int source = ownerOf(slot);
		if (source == target) {
			throw new IllegalArgumentException("slot " + slot + " is already on node " + target);
		}
		RedisCommands<String, String> from = node(source);
		RedisCommands<String, String> to = node(target);
		to.clusterSetSlotImporting(slot, this.ids.get(source));
		from.clusterSetSlotMigrating(slot, this.ids.get(target));
		Thread.sleep(pause.toMillis());
		atEachStep.accept("slot " + slot + " migrating, keys still on node " + source);
		int moved = 0;
		while (true) {
			List<String> keys = from.clusterGetKeysInSlot(slot, 100);
			if (keys.isEmpty()) {
				break;
			}
			// atomic per call: the source blocks until the target has them, then deletes its copies
			from.migrate("127.0.0.1", port(target), 0, 10_000, MigrateArgs.Builder.keys(keys));
			moved += keys.size();
		}
		Thread.sleep(pause.toMillis());
		atEachStep.accept("slot " + slot + " migrating, keys moved to node " + target);
		// target first, then source, as redis-cli does: the slot is never without an owner
		to.clusterSetSlotNode(slot, this.ids.get(target));
		from.clusterSetSlotNode(slot, this.ids.get(target));
		for (int i = 0; i < size(); i++) {
			if (i != source && i != target) {
				node(i).clusterSetSlotNode(slot, this.ids.get(target));
			}
		}
		awaitAgreement(Duration.ofSeconds(60));
		return moved;
	}

	/** Starts one more node and lets it join the cluster as a master without slots; returns its index. */
	int addMaster() throws Exception {
		startNode();
		int added = size() - 1;
		node(0).clusterMeet("127.0.0.1", port(added));
		awaitAgreement(Duration.ofSeconds(60));
		return added;
	}

	private void startNode() throws Exception {
		IllegalStateException failure = new IllegalStateException("could not start a cluster node on a free port pair");
		for (int attempt = 0; attempt < 5; attempt++) {
			int port = freePortPair();
			Path config = Path.of(System.getProperty("java.io.tmpdir"), "redis-cluster-nodes-" + port + ".conf").toAbsolutePath();
			Files.deleteIfExists(config);
			try {
				RedisServerProcess node = RedisServerProcess.start(port, "--cluster-enabled", "yes", "--cluster-config-file",
						config.toString(), "--cluster-node-timeout", NODE_TIMEOUT_MS);
				this.nodes.add(node);
				this.configFiles.add(config);
				RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
				this.clients.add(client);
				StatefulRedisConnection<String, String> connection = client.connect();
				this.admins.add(connection.sync());
				this.ids.add(connection.sync().clusterMyId());
				return;
			}
			catch (IllegalStateException ex) {
				// taken between the check and the start (another build on this machine): another pair
				failure.addSuppressed(ex);
			}
		}
		throw failure;
	}

	private void form() throws InterruptedException {
		for (int i = 1; i < size(); i++) {
			node(0).clusterMeet("127.0.0.1", port(i));
		}
		int per = SLOTS / size();
		for (int i = 0; i < size(); i++) {
			int from = i * per;
			int to = (i == size() - 1) ? SLOTS - 1 : (i + 1) * per - 1;
			node(i).clusterAddSlots(IntStream.rangeClosed(from, to).toArray());
		}
		awaitAgreement(Duration.ofSeconds(60));
	}

	/**
	 * Waits until every node reports {@code cluster_state:ok}, knows every other node as connected, and
	 * sees the same owner for every slot (what a client's topology discovery needs).
	 */
	private void awaitAgreement(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		List<String> views = List.of();
		while (true) {
			views = new ArrayList<>();
			boolean ok = true;
			for (int i = 0; i < size(); i++) {
				String info = node(i).clusterInfo();
				ok &= info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + size());
				views.add(slotView(node(i).clusterNodes()));
			}
			if (ok && views.stream().distinct().count() == 1 && !views.get(0).contains("disconnected")) {
				return;
			}
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("cluster did not converge within " + timeout + "; views per node: " + views);
			}
			Thread.sleep(50);
		}
	}

	/** One node's view: for each master, its port, link state and slot ranges; sorted, so views compare. */
	private static String slotView(String clusterNodes) {
		Set<String> lines = new TreeSet<>();
		for (RedisClusterNode node : ClusterPartitionParser.parse(clusterNodes)) {
			// a node still in the MEET handshake has no address yet
			String port = (node.getUri() != null) ? Integer.toString(node.getUri().getPort()) : "?";
			boolean healthy = node.isConnected() && node.getUri() != null && Collections.disjoint(node.getFlags(), UNHEALTHY);
			String link = healthy ? "connected" : "disconnected";
			lines.add(port + " " + link + " " + node.getSlots().size() + " slots " + ranges(node.getSlots()));
		}
		return String.join("; ", lines);
	}

	private static String ranges(List<Integer> slots) {
		List<String> ranges = new ArrayList<>();
		int start = -1;
		int previous = -2;
		for (int slot : new TreeSet<>(slots)) {
			if (slot != previous + 1) {
				if (start >= 0) {
					ranges.add(start + "-" + previous);
				}
				start = slot;
			}
			previous = slot;
		}
		if (start >= 0) {
			ranges.add(start + "-" + previous);
		}
		return String.join(",", ranges);
	}

	private static int freePortPair() {
		for (int attempt = 0; attempt < 200; attempt++) {
			int port = ThreadLocalRandom.current().nextInt(LOWEST_PORT, HIGHEST_PORT);
			if (isFree(port) && isFree(port + BUS_PORT_OFFSET)) {
				return port;
			}
		}
		throw new IllegalStateException("no free port pair (port, port + " + BUS_PORT_OFFSET + ") between " + LOWEST_PORT + " and "
				+ HIGHEST_PORT);
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(false);
			socket.bind(new InetSocketAddress("127.0.0.1", port));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() throws Exception {
		for (RedisClient client : this.clients) {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
		for (RedisServerProcess node : this.nodes) {
			node.close();
		}
		for (Path config : this.configFiles) {
			Files.deleteIfExists(config);
		}
	}
}
