package dev.corral.capabilities.internal;

import dev.corral.capabilities.WasiOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Splits one instance's output stream into log records, one per line (at most 8 KiB each). */
public final class LineLogger implements WasiOutput.Sink {
    private static final int MAX_LINE = 8192;
    private final System.Logger logger;
    private final System.Logger.Level level;
    private final String prefix;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public LineLogger(System.Logger logger, System.Logger.Level level, String prefix) {
        this.logger = logger;
        this.level = level;
        this.prefix = prefix;
    }

    @Override
    public void write(byte[] data, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte b = data[i];
            if (b == '\n') {
                emit();
            } else {
                line.write(b);
                if (line.size() >= MAX_LINE) {
                    emit();
                }
            }
        }
    }

    private void emit() {
        if (logger.isLoggable(level)) {
            logger.log(level, prefix + line.toString(StandardCharsets.UTF_8));
        }
        line.reset();
    }

    @Override
    public void close() {
        if (line.size() > 0) {
            emit();
        }
    }
}
