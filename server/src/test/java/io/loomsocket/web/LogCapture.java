package io.loomsocket.web;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what a System.Logger logs (through java.util.logging, where System.Logger goes when no
 * other LoggerFinder is installed) while it is open: {@code LEVEL: message} per record.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override public void publish(LogRecord r) {
            lines.add(r.getLevel() + ": " + r.getMessage());
        }

        @Override public void flush() {}

        @Override public void close() {}
    };

    private LogCapture(String name) {
        logger = Logger.getLogger(name);
        previous = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addHandler(handler);
    }

    /** Starts capturing the logger {@code name} (and its children), INFO and above. */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines containing {@code text}. */
    public List<String> containing(String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previous);
    }
}
