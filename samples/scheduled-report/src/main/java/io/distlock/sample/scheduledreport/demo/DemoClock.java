package io.distlock.sample.scheduledreport.demo;

import java.time.Clock;
import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.task.ThreadPoolTaskSchedulerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * Demo instances only: a wall clock that is {@code scheduled-report.demo.clock-offset} ahead of the machine's (behind
 * when negative), used by the scheduler and by the report. It plays the clock of another machine, which NTP keeps
 * close to the others but never equal: the instance's cron fires that much earlier (later), and it names the windows
 * by its own clock, as a real instance would.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("scheduled-report.demo.instance")
class DemoClock {

	@Bean
	@Primary
	Clock skewedClock(@Value("${scheduled-report.demo.clock-offset:0ms}") Duration offset) {
		return Clock.offset(Clock.systemDefaultZone(), offset);
	}

	@Bean
	ThreadPoolTaskSchedulerCustomizer skewedScheduler(Clock clock) {
		return (scheduler) -> scheduler.setClock(clock);
	}
}
