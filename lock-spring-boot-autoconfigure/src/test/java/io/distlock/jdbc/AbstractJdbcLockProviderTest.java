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

import java.util.function.Function;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.distlock.core.LockAcquisitionException;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.testsupport.AbstractCrossProcessLockProviderTest;
import io.distlock.testsupport.ChildJvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract plus what every database of the JDBC backend must show: long and unicode keys, the
 * database clock alone deciding expiry, locks outside the caller's transaction, concurrent schema
 * creation, a killed holder JVM. One subclass per database starts its server.
 */
abstract class AbstractJdbcLockProviderTest extends AbstractCrossProcessLockProviderTest {

	/** An operator deletes the lock's row. */
	@Override
	protected void deleteLockRecord(Instance holder, String name, String key) {
		new JdbcTemplate(dataSource(holder)).update("DELETE FROM distributed_lock WHERE lock_name = ? AND lock_key = ?", name, key);
	}


	private static final Set<String> tablesCreated = ConcurrentHashMap.newKeySet();

	private static final AtomicInteger instanceCount = new AtomicInteger();

	private final Map<LockProvider, HikariDataSource> pools = new ConcurrentHashMap<>();

	private final Map<LockProvider, DataSource> dataSources = new ConcurrentHashMap<>();

	/** Every type ever bound to a statement parameter by a provider of this test. */
	private final Set<Class<?>> boundTypes = ConcurrentHashMap.newKeySet();

	private Setup nextSetup = Setup.DEFAULT;

	/**
	 * How the next instance is made: its pool (size, connection timeout, SQL run on each new connection),
	 * what wraps the pool as the application's DataSource, and the provider over that.
	 */
	protected record Setup(int poolSize, long connectionTimeoutMillis, String connectionInitSql,
			UnaryOperator<DataSource> wrapper, Function<DataSource, LockProvider> provider) {

		static final Setup DEFAULT = new Setup(4, 2000, null, UnaryOperator.identity(), JdbcLockProvider::new);

		Setup withConnectionInitSql(String sql) {
			return new Setup(this.poolSize, this.connectionTimeoutMillis, sql, this.wrapper, this.provider);
		}

		Setup withPool(int size, long connectionTimeoutMillis) {
			return new Setup(size, connectionTimeoutMillis, this.connectionInitSql, this.wrapper, this.provider);
		}

		Setup withWrapper(UnaryOperator<DataSource> wrapper) {
			return new Setup(this.poolSize, this.connectionTimeoutMillis, this.connectionInitSql, wrapper, this.provider);
		}

		Setup withProvider(Function<DataSource, LockProvider> provider) {
			return new Setup(this.poolSize, this.connectionTimeoutMillis, this.connectionInitSql, this.wrapper, provider);
		}
	}

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
		Setup setup = this.nextSetup;
		HikariDataSource pool = server().pool("app-" + instanceCount.incrementAndGet(), setup.poolSize(),
				setup.connectionInitSql(), setup.connectionTimeoutMillis());
		DataSource application = recording(setup.wrapper().apply(pool), this.boundTypes);
		LockProvider provider = setup.provider().apply(application);
		this.pools.put(provider, pool);
		this.dataSources.put(provider, application);
		return provider;
	}

	@Override
	protected void closeProvider(LockProvider provider) throws Exception {
		super.closeProvider(provider);
		this.dataSources.remove(provider);
		HikariDataSource pool = this.pools.remove(provider);
		if (pool != null) {
			pool.close();
		}
	}

	/** Starts an instance whose every connection first runs {@code connectionInitSql}. */
	protected Instance newInstance(String connectionInitSql, Duration lease) throws Exception {
		return newInstance(Setup.DEFAULT.withConnectionInitSql(connectionInitSql), lease);
	}

	/** Starts an instance made as {@code setup} says. */
	protected Instance newInstance(Setup setup, Duration lease) throws Exception {
		this.nextSetup = setup;
		try {
			return newInstance(lease);
		}
		finally {
			this.nextSetup = Setup.DEFAULT;
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
	void lockIsNeverPartOfTheCallersTransactionWhateverProxiesWrapTheDataSource() throws Exception {
		// the application's DataSource: transaction-aware proxies nested in a plain delegate, over the pool
		Instance app = newInstance(Setup.DEFAULT.withWrapper((pool) -> new TransactionAwareDataSourceProxy(
				new DelegatingDataSource(new TransactionAwareDataSourceProxy(pool)) {
				})), Duration.ofSeconds(30));
		Instance other = newInstance();
		DataSource pool = pool(app);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource(app));
		jdbc.execute("CREATE TABLE IF NOT EXISTS lock_test_work (name VARCHAR(200) NOT NULL PRIMARY KEY)");
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(pool));
		LockHandle held = transaction.execute((status) -> {
			jdbc.update("INSERT INTO lock_test_work (name) VALUES (?)", lockName() + "-before");
			LockHandle handle = app.template.tryAcquire(lockName(), "k", Duration.ZERO).orElseThrow();
			jdbc.update("INSERT INTO lock_test_work (name) VALUES (?)", lockName() + "-locked");
			status.setRollbackOnly();
			return handle;
		});
		// the caller's work rolled back, none of it committed by a lock statement; the lock stays held
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM lock_test_work WHERE name LIKE ?", Long.class, lockName() + "%"))
			.isZero();
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).isEmpty();
		assertThat(held.isHeld()).isTrue();
		// a release inside another transaction that rolls back is not undone either
		transaction.executeWithoutResult((status) -> {
			held.close();
			status.setRollbackOnly();
		});
		assertThat(other.template.tryAcquire(lockName(), "k", Duration.ZERO)).hasValueSatisfying(LockHandle::close);
	}

	@Test
	void anExhaustedPoolEndsAnAcquireWithinItsWaitPlusOneStatementTimeout() throws Exception {
		// a pool whose own connection timeout (20 s) would otherwise decide how long a caller waits
		Instance app = newInstance(Setup.DEFAULT.withPool(2, 20_000), Duration.ofSeconds(30));
		Instance other = newInstance();
		List<Connection> otherWork = new ArrayList<>();
		try {
			for (int i = 0; i < 2; i++) {
				otherWork.add(pool(app).getConnection());
			}
			Duration wait = Duration.ofMillis(500);
			long started = System.nanoTime();
			assertThatThrownBy(() -> app.template.tryAcquire(lockName(), "k", wait)).isInstanceOf(LockAcquisitionException.class)
				.hasMessageContaining(lockName());
			assertThat(Duration.ofNanos(System.nanoTime() - started))
				.isLessThan(wait.plus(JdbcLockOptions.DEFAULTS.statementTimeout()).plus(slack()));
		}
		finally {
			for (Connection connection : otherWork) {
				connection.close();
			}
		}
		// nothing was left behind, and the pool serves the lock again
		try (LockHandle handle = other.template.tryAcquire(lockName(), "k", slack()).orElseThrow()) {
			assertThat(handle.isHeld()).isTrue();
		}
		assertThat(app.template.tryAcquire(lockName(), "k", slack())).hasValueSatisfying(LockHandle::close);
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
