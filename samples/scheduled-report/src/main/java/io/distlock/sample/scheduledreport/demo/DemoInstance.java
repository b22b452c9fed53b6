package io.distlock.sample.scheduledreport.demo;

import java.io.IOException;
import java.io.InputStream;

import io.distlock.core.LockProvider;
import io.distlock.sample.scheduledreport.ReportBuilt;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The instance side of the demo ({@code scheduled-report.demo.instance=true}, set by {@link ScheduledReportDemo}):
 * tells the launcher its lock backend once it is ready and each report it builds, one line of standard output each,
 * and exits when its standard input closes, so that an instance never outlives its launcher, even one killed with
 * {@code kill -9}.
 */
@Component
@ConditionalOnBooleanProperty("scheduled-report.demo.instance")
class DemoInstance {

	private final ObjectProvider<LockProvider> lockProvider;

	DemoInstance(ObjectProvider<LockProvider> lockProvider) {
		this.lockProvider = lockProvider;
	}

	@EventListener
	void ready(ApplicationReadyEvent event) {
		String backend = this.lockProvider.stream().map(LockProvider::backendName).findFirst().orElse("none");
		print(InstanceLine.ready(backend));
		ConfigurableApplicationContext context = event.getApplicationContext();
		Thread watcher = new Thread(() -> exitAtEndOf(System.in, context), "exit-with-launcher");
		watcher.setDaemon(true);
		watcher.start();
	}

	@EventListener
	void built(ReportBuilt report) {
		print(InstanceLine.built(report));
	}

	private static synchronized void print(String line) {
		System.out.println(line);
		System.out.flush();
	}

	private static void exitAtEndOf(InputStream in, ConfigurableApplicationContext context) {
		try {
			while (in.read() != -1) {
				// nothing is sent; only the end matters
			}
		}
		catch (IOException ex) {
			// a broken pipe is an end too
		}
		System.exit(SpringApplication.exit(context));
	}
}
