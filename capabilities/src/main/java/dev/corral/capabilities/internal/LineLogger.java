package dev.corral.capabilities.internal;

import dev.corral.capabilities.WasiOutput;
import dev.corral.spi.Capability;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits one instance's output stream into log records, one per line (at most 8 KiB each), with
 * control characters escaped and the same rate limit as {@code PluginLogging}.
 */
public final class LineLogger implements WasiOutput.Sink {
    private static final int MAX_LINE = 8192;
    private final System.Logger logger;
    private final System.Logger.Level level;
    private final String prefix;
    private final LogLimiter limiter;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public LineLogger(System.Logger logger, System.Logger.Level level, String prefix, LogLimiter limiter) {
        this.logger = logger;
        this.level = level;
        this.prefix = prefix;
        this.limiter = limiter;
    }

    @Override
    public void write(byte[] data, int off, int len) {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (data[i] == '\n') {
                line.write(data, start, i - start);
                emit();
                start = i + 1;
            } else if (line.size() + (i + 1 - start) >= MAX_LINE) {
                line.write(data, start, i + 1 - start);
                emit();
                start = i + 1;
            }
        }
        line.write(data, start, off + len - start);
    }

    private void emit() {
        if (logger.isLoggable(level) && limiter.admit(line.size(), logger, prefix)) {
            logger.log(level, prefix + LogText.escape(line.toString(StandardCharsets.UTF_8)));
        }
        line.reset();
    }

    /** The pending partial line, which a restore puts back (a rolled-back tick's half line must not stay). */
    @Override
    public Capability.Snapshot snapshot() {
        byte[] pending = line.toByteArray();
        return () -> {
            line.reset();
            line.write(pending, 0, pending.length);
        };
    }

    @Override
    public void close() {
        if (line.size() > 0) {
            emit();
        }
        limiter.reportDrops(logger, prefix);
    }
}
