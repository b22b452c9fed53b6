package io.distlock.sample.flashsale.demo;

import java.io.IOException;
import java.io.InputStream;

import io.distlock.core.LockProvider;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The instance side of the demo ({@code flash-sale.demo.instance=true}, set by {@link FlashSaleDemo}): tells the
 * launcher its port and lock backend on one line of standard output, and exits when its standard input closes,
 * so that an instance never outlives its launcher, even one killed with {@code kill -9}.
 */
@Component
@ConditionalOnBooleanProperty("flash-sale.demo.instance")
class DemoInstance {

	static final String READY = "FLASH-SALE-READY";

	private final ObjectProvider<LockProvider> lockProvider;

	DemoInstance(ObjectProvider<LockProvider> lockProvider) {
		this.lockProvider = lockProvider;
	}

	@EventListener
	void ready(ApplicationReadyEvent event) {
		ConfigurableApplicationContext context = event.getApplicationContext();
		String port = context.getEnvironment().getProperty("local.server.port");
		String backend = this.lockProvider.stream().map(LockProvider::backendName).findFirst().orElse("none");
		System.out.println(READY + " port=" + port + " lock=" + backend);
		System.out.flush();
		Thread watcher = new Thread(() -> exitAtEndOf(System.in, context), "exit-with-launcher");
		watcher.setDaemon(true);
		watcher.start();
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
