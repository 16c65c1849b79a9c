package dev.corral.proxywasm;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A System.Logger that keeps every record (level and text), for tests about filter logging. */
final class RecordingLogger implements System.Logger {
    final List<String> records = new CopyOnWriteArrayList<>();
    private final Level threshold;

    RecordingLogger() {
        this(Level.INFO);
    }

    RecordingLogger(Level threshold) {
        this.threshold = threshold;
    }

    @Override
    public String getName() {
        return "test";
    }

    @Override
    public boolean isLoggable(Level level) {
        return level.getSeverity() >= threshold.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(level)) {
            records.add(level + " " + msg);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            records.add(level + " " + java.text.MessageFormat.format(format, params));
        }
    }

    boolean contains(String text) {
        return records.stream().anyMatch(r -> r.contains(text));
    }
}
