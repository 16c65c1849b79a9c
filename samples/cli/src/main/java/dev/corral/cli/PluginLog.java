package dev.corral.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * Where {@code run --log} sends the plugin's log records: one line each on the CLI's stderr,
 * {@code INFO [plugin] message}, from the level given on (not the JDK logger's two-line format).
 */
final class PluginLog implements System.Logger {
    private final PrintStream err;
    private final Level threshold;

    PluginLog(PrintStream err, Level threshold) {
        this.err = err;
        this.threshold = threshold;
    }

    /** {@code trace}, {@code debug}, {@code info}, {@code warn} or {@code error}. */
    static Level level(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "trace": return Level.TRACE;
            case "debug": return Level.DEBUG;
            case "info": return Level.INFO;
            case "warn": return Level.WARNING;
            case "error": return Level.ERROR;
            default: throw new UsageException("--log-level '" + name + "': expected trace, debug, info, warn or error");
        }
    }

    @Override
    public String getName() {
        return "corral-cli";
    }

    @Override
    public boolean isLoggable(Level level) {
        return level != Level.OFF && level.getSeverity() >= threshold.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(level)) {
            err.println((level == Level.WARNING ? "WARN" : level.getName()) + " " + msg);
            err.flush();
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        log(level, bundle, params == null || params.length == 0 ? format : java.text.MessageFormat.format(format, params), (Throwable) null);
    }
}
