package io.distlock.redis;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Records what the Redis backend logs while open, to assert on WARN lines. */
final class LogCapture implements AutoCloseable {

	private final Logger logger = (Logger) LoggerFactory.getLogger("io.distlock.redis");

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	LogCapture() {
		this.appender.start();
		this.logger.addAppender(this.appender);
	}

	/** Returns the messages logged at WARN or above so far. */
	List<String> warnings() {
		return this.appender.list.stream().filter((e) -> e.getLevel().isGreaterOrEqual(Level.WARN)).map(ILoggingEvent::getFormattedMessage).toList();
	}

	@Override
	public void close() {
		this.logger.detachAppender(this.appender);
	}
}
