package io.distlock.sample.flashsale;

import java.util.Arrays;

import io.distlock.sample.flashsale.demo.FlashSaleDemo;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * A shop with a limited stock that must not oversell, however many instances of it run: {@code POST /orders}
 * goes through {@link Shop#purchase(Order)}, which is {@code @DistributedLocked} per SKU.
 *
 * <p>Started with {@code --demo}, this class does not start the shop itself but {@link FlashSaleDemo}: several
 * instances as separate JVMs against one shared database, once with the lock and once without it.
 */
@SpringBootApplication
@EnableConfigurationProperties(FlashSaleProperties.class)
public class FlashSaleApplication {

	public static void main(String[] args) throws Exception {
		if (Arrays.asList(args).contains(FlashSaleDemo.FLAG)) {
			System.exit(FlashSaleDemo.runFromCommandLine(args));
		}
		SpringApplication.run(FlashSaleApplication.class, args);
	}

	/** Puts the configured SKU on sale at first start; a restart or a second instance leaves its stock alone. */
	@Bean
	ApplicationRunner stockSeeder(Inventory inventory, FlashSaleProperties properties) {
		return (args) -> inventory.seedIfAbsent(properties.sku(), properties.initialStock());
	}
}
