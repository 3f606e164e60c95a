package io.meridian.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging of the benchmarks that run their own deployment: the launcher JVM hosts ZooKeeper and drives Kafka clients,
 * and none of that may land on stdout (the report, or {@code --json}). Only warnings, on stderr, next to the progress
 * lines; the nodes and brokers log to their own files.
 */
final class BenchLogging {
    private BenchLogging() {
    }

    static void warningsToStderr() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.getLogger("io.meridian").setLevel(Level.WARN);
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        // The in-process ZooKeeper server warns of every session reset when the benchmark kills or stops a node.
        context.getLogger("org.apache.zookeeper.server").setLevel(Level.ERROR);
        Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
        if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
            console.stop();
            console.setTarget("System.err");
            console.start();
        }
    }
}
