package dev.hitcounter.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The lines the app logs under a logger name while a test runs, as "LEVEL message". */
public final class LogLines extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> lines = new ArrayList<>();

    private LogLines(Logger logger) {
        this.logger = logger;
    }

    /** Starts capturing what {@code name} and the loggers below it log. */
    public static LogLines of(String name) {
        LogLines capture = new LogLines(Logger.getLogger(name));
        capture.logger.addHandler(capture);
        return capture;
    }

    /** The lines so far. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        lines.add(record.getLevel() + " " + record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
