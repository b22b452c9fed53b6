package io.distlock.interceptor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.distlock.annotation.DistributedLocked;
import io.distlock.autoconfigure.DistributedLockAutoConfiguration;
import io.distlock.core.LockHandle;
import io.distlock.core.LockTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With {@code @Transactional} on the same method, the lock is taken before the transaction begins and
 * released after it commits or rolls back. A transaction manager records, at begin, commit and
 * rollback, whether another caller could take the lock at that moment.
 */
class TransactionOrderingTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class))
		.withUserConfiguration(TxConfig.class);

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class TxConfig {

		@Bean
		RecordingTransactionManager transactionManager(ObjectProvider<LockTemplate> template) {
			return new RecordingTransactionManager(template);
		}

		@Bean
		Payments payments() {
			return new Payments();
		}
	}

	static class Payments {

		@DistributedLocked(name = "payment", key = "#id")
		@Transactional
		public void pay(String id) {
		}

		@DistributedLocked(name = "payment", key = "#id")
		@Transactional
		public void payAndFail(String id) {
			throw new IllegalStateException("declined");
		}
	}

	static class RecordingTransactionManager extends AbstractPlatformTransactionManager {

		final List<String> events = new CopyOnWriteArrayList<>();

		private final ObjectProvider<LockTemplate> template;

		RecordingTransactionManager(ObjectProvider<LockTemplate> template) {
			this.template = template;
		}

		private String lockState() {
			boolean free = CompletableFuture.supplyAsync(() -> {
				var handle = this.template.getObject().tryAcquire("payment", "p1", Duration.ZERO);
				handle.ifPresent(LockHandle::close);
				return handle.isPresent();
			}).join();
			return free ? "free" : "held";
		}

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
			this.events.add("begin:" + lockState());
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			this.events.add("commit:" + lockState());
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
			this.events.add("rollback:" + lockState());
		}
	}

	@Test
	void lockSurroundsTheTransaction() {
		this.runner.run((context) -> {
			RecordingTransactionManager tx = context.getBean(RecordingTransactionManager.class);
			context.getBean(Payments.class).pay("p1");
			assertThatThrownBy(() -> context.getBean(Payments.class).payAndFail("p1")).hasMessage("declined");
			assertThat(tx.events).containsExactly("begin:held", "commit:held", "begin:held", "rollback:held");
			assertThat(tx.lockState()).isEqualTo("free");
		});
	}
}
