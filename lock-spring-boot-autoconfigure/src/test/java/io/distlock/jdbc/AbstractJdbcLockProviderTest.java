package io.distlock.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.testsupport.AbstractCrossProcessLockProviderTest;
import io.distlock.testsupport.ChildJvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract plus what every database of the JDBC backend must show: long and unicode keys, the
 * database clock alone deciding expiry, locks outside the caller's transaction, concurrent schema
 * creation, a killed holder JVM. One subclass per database starts its server.
 */
abstract class AbstractJdbcLockProviderTest extends AbstractCrossProcessLockProviderTest {

	private static final Set<String> tablesCreated = ConcurrentHashMap.newKeySet();

	private static final AtomicInteger instanceCount = new AtomicInteger();

	private final Map<LockProvider, HikariDataSource> pools = new ConcurrentHashMap<>();

	private final Map<LockProvider, DataSource> dataSources = new ConcurrentHashMap<>();

	/** Every type ever bound to a statement parameter by a provider of this test. */
	private final Set<Class<?>> boundTypes = ConcurrentHashMap.newKeySet();

	private String nextConnectionInitSql;

	/** Returns the running server of this database. */
	protected abstract JdbcTestDatabases.Server server() throws Exception;

	@Override
	protected ChildJvm startChildInstance(Duration lease) throws Exception {
		JdbcTestDatabases.Server server = server();
		ChildJvm child = ChildJvm.start(JdbcHolderMain.class, server.url(), server.user(), server.password(), Long.toString(lease.toMillis()));
		child.await("READY", Duration.ofSeconds(60));
		return child;
	}

	@BeforeEach
	void createLockTable() throws Exception {
		JdbcTestDatabases.Server server = server();
		if (tablesCreated.add(server.url())) {
			try (HikariDataSource dataSource = server.pool("schema", 1, null)) {
				JdbcLockSchema.create(dataSource, JdbcLockSchema.DEFAULT_TABLE_NAME);
			}
		}
	}

	@Override
	protected LockProvider createProvider() throws Exception {
		HikariDataSource pool = server().pool("app-" + instanceCount.incrementAndGet(), 4, this.nextConnectionInitSql);
		DataSource recording = recording(pool, this.boundTypes);
		JdbcLockProvider provider = new JdbcLockProvider(recording);
		this.pools.put(provider, pool);
		this.dataSources.put(provider, recording);
		return provider;
	}

	@Override
	protected void closeProvider(LockProvider provider) {
		this.dataSources.remove(provider);
		HikariDataSource pool = this.pools.remove(provider);
		if (pool != null) {
			pool.close();
		}
	}

	/** Starts an instance whose every connection first runs {@code connectionInitSql}. */
	protected Instance newInstance(String connectionInitSql, Duration lease) throws Exception {
		this.nextConnectionInitSql = connectionInitSql;
		try {
			return newInstance(lease);
		}
		finally {
			this.nextConnectionInitSql = null;
		}
	}

	/** Returns the data source an instance's provider uses (the application's DataSource). */
	protected DataSource dataSource(Instance instance) {
		return this.dataSources.get(instance.provider);
	}

	/** Returns the connection pool behind an instance. */
	protected HikariDataSource pool(Instance instance) {
		return this.pools.get(instance.provider);
	}

	@Test
	void longAndUnicodeKeysAreLockedWholeAndReadableInTheTable() throws Exception {
		Instance first = newInstance();
		Instance second = newInstance();
		String unicode = "Zürich-東京-ключ-🔒";
		String longKey = unicode + "x".repeat(2048);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource(first));
		for (String key : List.of(unicode, longKey)) {
			String id = JdbcLockProvider.rowId(lockName(), key);
			try (LockHandle held = first.template.tryAcquire(lockName(), key, Duration.ZERO).orElseThrow()) {
				assertThat(second.template.tryAcquire(lockName(), key, Duration.ZERO)).isEmpty();
				// differs only in its last character: the whole key counts, not a prefix
				assertThat(second.template.tryAcquire(lockName(), key + "!", Duration.ZERO)).hasValueSatisfying(LockHandle::close);
				Map<String, Object> row = jdbc.queryForMap("SELECT lock_name, lock_key, owner, token FROM distributed_lock WHERE id = ?", id);
				assertThat(row.get("lock_name")).isEqualTo(lockName());
				assertThat(row.get("lock_key")).isEqualTo(key);
				assertThat(row.get("owner")).isNotNull();
				assertThat(((Number) row.get("token")).longValue()).isEqualTo(held.fencingToken());
			}
			assertThat(jdbc.queryForList("SELECT owner FROM distributed_lock WHERE id = ?", id)).singleElement()
				.satisfies((row) -> assertThat(row.get("owner")).isNull());
		}
	}

	@Test
	void onlyTheDatabaseClockDecidesExpiry() throws Exception {
		Duration lease = shortLease();
		// sessions 25 hours apart: if a session's local time, or either JVM's, decided expiry, one of
		// them would see the other's lock as long expired (or never expiring)
		Instance east = newInstance(server().setTimeZoneSql(13), lease);
		Instance west = newInstance(server().setTimeZoneSql(-12), lease);
		LockHandle eastHolds = east.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		assertThat(west.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		eastHolds.close();
		LockHandle westHolds = west.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
		assertThat(east.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		long abandonedAt = System.nanoTime();
		abandon(west);
		try (LockHandle next = east.template.tryAcquire(lockName(), "k", lease.plus(slack()).plus(slack())).orElseThrow()) {
			assertThat(Duration.ofNanos(System.nanoTime() - abandonedAt)).isGreaterThanOrEqualTo(lease.dividedBy(2));
			assertThat(next.fencingToken()).isGreaterThan(westHolds.fencingToken());
		}
		// the application sends lease lengths and ids only, never a point in time
		assertThat(this.boundTypes).isNotEmpty().allSatisfy((type) -> assertThat(type).isIn(String.class, Long.class));
	}

	@Test
	void lockIsNeverPartOfTheCallersTransaction() throws Exception {
		Instance app = newInstance();
		Instance other = newInstance();
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource(app)));
		LockHandle held = transaction.execute((status) -> {
			LockHandle handle = app.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
			status.setRollbackOnly();
			return handle;
		});
		// the caller's transaction rolled back; the lock was committed on its own and stays held
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		assertThat(held.isHeld()).isTrue();
		held.close();
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void aTransactionCommitsBeforeItsLockIsReleased() throws Exception {
		Instance[] apps = { newInstance(), newInstance() };
		new JdbcTemplate(dataSource(apps[0])).execute(
				"CREATE TABLE IF NOT EXISTS lock_test_counter (name VARCHAR(200) NOT NULL PRIMARY KEY, n BIGINT NOT NULL)");
		new JdbcTemplate(dataSource(apps[0])).update("INSERT INTO lock_test_counter (name, n) VALUES (?, 0)", lockName());
		int threads = 4;
		int perThread = 8;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Instance app = apps[t % apps.length];
			JdbcTemplate jdbc = new JdbcTemplate(dataSource(app));
			TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource(app)));
			futures.add(pool.submit(() -> {
				for (int i = 0; i < perThread; i++) {
					// as @DistributedLocked around @Transactional: lock, begin, read, write, commit, unlock
					app.template.execute(lockName(), "counter", Duration.ofSeconds(60), () -> transaction.execute((status) -> {
						long n = jdbc.queryForObject("SELECT n FROM lock_test_counter WHERE name = ?", Long.class, lockName());
						sleep(1);
						return jdbc.update("UPDATE lock_test_counter SET n = ? WHERE name = ?", n + 1, lockName());
					}));
				}
				return null;
			}));
		}
		for (Future<?> future : futures) {
			future.get(3, TimeUnit.MINUTES);
		}
		pool.shutdown();
		long n = new JdbcTemplate(dataSource(apps[1])).queryForObject("SELECT n FROM lock_test_counter WHERE name = ?",
				Long.class, lockName());
		assertThat(n).as("each holder saw the previous holder's committed row").isEqualTo((long) threads * perThread);
	}

	@Test
	void instancesStartingTogetherCreateTheTableOnceAndUseIt() throws Exception {
		String table = "lock_init_" + Long.toString(System.nanoTime(), 36);
		int instances = 4;
		List<HikariDataSource> dataSources = new ArrayList<>();
		for (int i = 0; i < instances; i++) {
			dataSources.add(server().pool("init-" + i, 1, null));
		}
		ExecutorService pool = Executors.newFixedThreadPool(instances);
		try {
			CyclicBarrier start = new CyclicBarrier(instances);
			List<Future<?>> futures = new ArrayList<>();
			for (HikariDataSource dataSource : dataSources) {
				futures.add(pool.submit(() -> {
					start.await();
					JdbcLockSchema.create(dataSource, table);
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get(2, TimeUnit.MINUTES);
			}
			JdbcLockProvider provider = new JdbcLockProvider(dataSources.get(0), table);
			assertThat(provider.isTableUsable()).isTrue();
			var request = new io.distlock.core.LockRequest("n", "k", "n", Duration.ZERO, Duration.ofSeconds(5));
			var lease = provider.acquire(request).orElseThrow();
			assertThat(new JdbcLockProvider(dataSources.get(1), table).acquire(request)).isEmpty();
			lease.release();
		}
		finally {
			pool.shutdown();
			new JdbcTemplate(dataSources.get(0)).execute("DROP TABLE " + table);
			dataSources.forEach(HikariDataSource::close);
		}
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Wraps a data source so that every value bound to a prepared statement has its type recorded. */
	static DataSource recording(DataSource target, Set<Class<?>> types) {
		return proxy(DataSource.class, target, (result) -> (result instanceof Connection connection)
				? proxy(Connection.class, connection, (r) -> (r instanceof PreparedStatement statement)
						? recordingStatement(statement, types) : r)
				: result);
	}

	private static PreparedStatement recordingStatement(PreparedStatement target, Set<Class<?>> types) {
		return (PreparedStatement) Proxy.newProxyInstance(AbstractJdbcLockProviderTest.class.getClassLoader(),
				new Class<?>[] { PreparedStatement.class }, (p, method, args) -> {
					if (method.getName().startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer) {
						types.add((args[1] != null) ? args[1].getClass() : Void.class);
					}
					return invoke(method, target, args);
				});
	}

	@SuppressWarnings("unchecked")
	private static <T> T proxy(Class<T> type, T target, java.util.function.UnaryOperator<Object> wrapResult) {
		return (T) Proxy.newProxyInstance(AbstractJdbcLockProviderTest.class.getClassLoader(), new Class<?>[] { type },
				(p, method, args) -> wrapResult.apply(invoke(method, target, args)));
	}

	private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}
}
