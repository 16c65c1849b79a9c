package dev.corral.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logging for {@code corral serve}: every record (the filters' through {@code System.Logger},
 * Jetty's through SLF4J) becomes one line on stderr, {@code LEVEL message}; the filters' messages
 * start with {@code [filter-name]}. {@code --log-level} sets the threshold; Jetty's own chatter is
 * kept to warnings.
 */
final class ServeLogging {
    /** Held here: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private static final Logger JETTY = Logger.getLogger("org.eclipse.jetty");

    private ServeLogging() {}

    static void install(PrintStream err, String level) {
        Level threshold = parse(level);
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(threshold);
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (!isLoggable(r)) {
                    return;
                }
                String msg = r.getMessage();
                if (r.getParameters() != null && r.getParameters().length > 0) {
                    msg = java.text.MessageFormat.format(msg, r.getParameters());
                }
                String line = name(r.getLevel()) + " " + msg.replace('\n', ' ').replace('\r', ' ');
                synchronized (err) {
                    err.println(line);
                    err.flush();
                }
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {}
        });
        JETTY.setLevel(threshold.intValue() > Level.WARNING.intValue() ? threshold : Level.WARNING);
    }

    private static String name(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    static Level parse(String level) {
        switch (level.toLowerCase(Locale.ROOT)) {
            case "trace": return Level.FINEST;
            case "debug": return Level.FINE;
            case "info": return Level.INFO;
            case "warn":
            case "warning": return Level.WARNING;
            case "error": return Level.SEVERE;
            case "off": return Level.OFF;
            default: throw new UsageException("--log-level: '" + level + "' is none of trace, debug, info, warn, error, off");
        }
    }

    /** SIGTERM (and Ctrl-C) run {@code action} instead of killing the JVM, so serve can drain and exit 0. */
    @SuppressWarnings("removal")
    static void onTerm(Runnable action) {
        for (String sig : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> action.run());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // a platform without this signal: the JVM's default handling stays
            }
        }
    }
}
