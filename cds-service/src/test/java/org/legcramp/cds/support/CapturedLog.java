package org.legcramp.cds.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What one logger (and the loggers below it) logs while a test provokes it on purpose: kept for
 * the test to assert on, and kept off the console, so that a passing build prints no ERROR for an
 * error it expects.
 */
public final class CapturedLog implements AutoCloseable {

    private final Logger logger;
    private final boolean wasAdditive;
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    private CapturedLog(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        this.wasAdditive = logger.isAdditive();
        events.start();
        logger.addAppender(events);
        logger.setAdditive(false);
    }

    public static CapturedLog of(String loggerName) {
        return new CapturedLog(loggerName);
    }

    /** Each event as {@code LEVEL message}. */
    public List<String> lines() {
        return List.copyOf(events.list).stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(events);
        logger.setAdditive(wasAdditive);
        events.stop();
    }
}
