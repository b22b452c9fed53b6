package io.distlock.autoconfigure;

import java.time.Duration;

import io.distlock.annotation.DistributedLocked;
import io.distlock.core.LockHandle;
import io.distlock.core.LockProvider;
import io.distlock.core.LockTemplate;
import io.distlock.zookeeper.ZookeeperLockProvider;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class ZookeeperLockAutoConfigurationTest {

	private static TestingServer server;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DistributedLockAutoConfiguration.class));

	@BeforeAll
	static void startServer() throws Exception {
		server = new TestingServer(true);
	}

	@AfterAll
	static void stopServer() throws Exception {
		server.close();
	}

	@Test
	void connectStringCreatesStartsAndClosesAClient() {
		CuratorFramework[] created = new CuratorFramework[1];
		this.runner
			.withPropertyValues("distributed-lock.zookeeper.connect-string=" + server.getConnectString(),
					"distributed-lock.zookeeper.base-path=/auto/locks/", "distributed-lock.zookeeper.session-timeout=5s",
					"distributed-lock.zookeeper.connection-timeout=5s", "distributed-lock.zookeeper.retry.max-retries=1",
					"distributed-lock.zookeeper.suspended-grace-percent=20")
			.run((context) -> {
				assertThat(context).hasSingleBean(CuratorFramework.class).hasSingleBean(ZookeeperLockProvider.class);
				created[0] = context.getBean(CuratorFramework.class);
				assertThat(created[0].getState()).isEqualTo(CuratorFrameworkState.STARTED);
				assertThat(context.getBean(ZookeeperLockProvider.class).getBasePath()).isEqualTo("/auto/locks");
				assertThat(context.getBean(ZookeeperLockProvider.class).getSuspendedGracePercent()).isEqualTo(20);
				try (LockHandle handle = context.getBean(LockTemplate.class).tryAcquire("auto", "k", Duration.ofSeconds(10)).orElseThrow()) {
					assertThat(created[0].getChildren().forPath("/auto/locks/auto/k")).hasSize(1);
				}
			});
		assertThat(created[0].getState()).as("closed with the context").isEqualTo(CuratorFrameworkState.STOPPED);
	}

	@Test
	void usersCuratorFrameworkWinsAndIsLeftOpen() {
		this.runner.withUserConfiguration(UserClientConfiguration.class)
			.withPropertyValues("distributed-lock.zookeeper.connect-string=ignored:1")
			.run((context) -> {
				assertThat(context).hasSingleBean(CuratorFramework.class).hasBean("userClient").doesNotHaveBean("distributedLockCuratorFramework");
				assertThat(context).getBean(LockProvider.class).isInstanceOf(ZookeeperLockProvider.class);
				CuratorFramework user = context.getBean(CuratorFramework.class);
				context.getBean(LockTemplate.class).tryAcquire("user", "k", Duration.ofSeconds(10)).orElseThrow().close();
				assertThat(user.getState()).isEqualTo(CuratorFrameworkState.STARTED);
			});
	}

	@Test
	void explicitBackendWithoutClientOrConnectStringFailsWithAdvice() {
		this.runner.withPropertyValues("distributed-lock.backend=zookeeper").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("distributed-lock.backend=zookeeper")
				.hasMessageContaining("distributed-lock.zookeeper.connect-string")
				.hasMessageContaining("curator-recipes");
		});
	}

	@Test
	void explicitBackendWithoutCuratorOnTheClassPathFailsWithAdvice() {
		this.runner.withClassLoader(new FilteredClassLoader(CuratorFramework.class))
			.withPropertyValues("distributed-lock.backend=zookeeper", "distributed-lock.zookeeper.connect-string=localhost:2181")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("curator-recipes"));
	}

	@Test
	void aCuratorFrameworkThatIsNotADefaultCandidateWithoutConnectStringFailsNamingTheProperty() {
		// detection sees the bean, but it is not injected by type: the starter would create its own client
		this.runner.withUserConfiguration(NonDefaultCandidateClientConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("distributed-lock.zookeeper.connect-string");
		});
	}

	@Test
	void withoutClientOrConnectStringTheBackendIsNotDetected() {
		this.runner.run((context) -> assertThat(context).getBean(LockProvider.class).isNotInstanceOf(ZookeeperLockProvider.class));
	}

	@Test
	void invalidSettingsFailNamingTheProperty() {
		String connect = "distributed-lock.zookeeper.connect-string=" + server.getConnectString();
		this.runner.withPropertyValues(connect, "distributed-lock.zookeeper.base-path=locks")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("distributed-lock.zookeeper.base-path='locks'"));
		this.runner.withPropertyValues(connect, "distributed-lock.zookeeper.session-timeout=0s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("distributed-lock.zookeeper.session-timeout"));
		this.runner.withPropertyValues(connect, "distributed-lock.zookeeper.retry.max-retries=-1")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("distributed-lock.zookeeper.retry.max-retries"));
		this.runner.withPropertyValues(connect, "distributed-lock.zookeeper.suspended-grace-percent=30")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("distributed-lock.zookeeper.suspended-grace-percent=30").hasMessageContaining("between 0 and 25"));
		this.runner.withPropertyValues(connect, "distributed-lock.zookeeper.operation-timeout=0s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("distributed-lock.zookeeper.operation-timeout"));
	}

	@Test
	void aLeaseTimeIsReportedOnceAtStartupAsNotApplying(CapturedOutput output) {
		String connect = "distributed-lock.zookeeper.connect-string=" + server.getConnectString();
		this.runner.withUserConfiguration(LeasedService.class)
			.withPropertyValues(connect, "distributed-lock.lease-time=10s", "distributed-lock.zookeeper.session-timeout=6s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				String notice = "leaseTime does not apply to the zookeeper backend";
				assertThat(output.getOut().split(notice, -1)).as("logged once").hasSize(2);
				assertThat(output).contains("distributed-lock.lease-time=10s").contains("LeasedService.report")
					.contains("distributed-lock.zookeeper.session-timeout").doesNotContain("LeasedService.unleased");
			});
	}

	@Test
	void withoutALeaseTimeNothingIsSaidAboutIt(CapturedOutput output) {
		this.runner.withPropertyValues("distributed-lock.zookeeper.connect-string=" + server.getConnectString())
			.run((context) -> assertThat(output).doesNotContain("leaseTime does not apply"));
	}

	static class LeasedService {

		@DistributedLocked(name = "report", leaseTime = "5s")
		public void report() {
		}

		@DistributedLocked(name = "unleased")
		public void unleased() {
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class NonDefaultCandidateClientConfiguration {

		@Bean(destroyMethod = "close", defaultCandidate = false)
		CuratorFramework otherClient() {
			return CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class UserClientConfiguration {

		@Bean(destroyMethod = "close")
		CuratorFramework userClient() {
			CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
			client.start();
			return client;
		}
	}
}
