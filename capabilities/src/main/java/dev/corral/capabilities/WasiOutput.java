package dev.corral.capabilities;

import dev.corral.capabilities.internal.Discard;
import dev.corral.capabilities.internal.LineLogger;
import dev.corral.capabilities.internal.LogLimiter;
import dev.corral.spi.Capability;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a plugin's stdout or stderr goes. One {@code fd_write} moves at most 4 MiB (a short
 * write, which C and Rust loop on) and stops at the call's deadline. The guest's writes always succeed in full (it cannot
 * tell a discarded or truncated stream from a real one), except a forwarded stream whose
 * {@code OutputStream} fails, which the guest sees as EIO.
 */
public interface WasiOutput {
    /** One instance's end of the stream; used by one plugin thread at a time. */
    interface Sink {
        void write(byte[] data, int off, int len) throws IOException;

        /**
         * How many more bytes this sink will keep; Corral does not copy bytes out of the guest
         * that the sink would drop anyway (the guest is still told they were written).
         */
        default long room() {
            return Long.MAX_VALUE;
        }

        /** The guest wrote {@code bytes} more than {@link #room()}: not copied, only counted. */
        default void skipped(long bytes) {}

        /**
         * Captures what this instance's end holds and has not delivered yet (a pending partial
         * line), for a plugin snapshot; output already delivered is never taken back.
         */
        default Capability.Snapshot snapshot() {
            return Capability.Snapshot.NONE;
        }

        /** End of the instance: flush what is pending. */
        default void close() {}
    }

    /** @param stream "stdout" or "stderr" */
    Sink open(String pluginName, String stream);

    /** Drop everything (the default). */
    static WasiOutput discard() {
        return Discard.INSTANCE;
    }

    /** Keep the first {@code maxBytes} bytes written by all instances sharing this object. */
    static Capture capture(int maxBytes) {
        return new Capture(maxBytes);
    }

    /** Write through to {@code out} (not closed by Corral), flushed after each guest write. */
    static WasiOutput forward(OutputStream out) {
        Objects.requireNonNull(out, "out");
        return (name, stream) -> (data, off, len) -> {
            out.write(data, off, len);
            out.flush();
        };
    }

    /**
     * One {@code System.Logger} record per line, on logger {@code dev.corral.plugin.<name>},
     * prefixed with the plugin's name and stream. Lines longer than 8 KiB are split; control
     * characters are escaped (a guest cannot forge records or drive a terminal); per instance and
     * stream at most 100 records and 64 KiB per second, like {@code PluginLogging}: what the
     * limit drops is counted in one WARNING record.
     */
    static WasiOutput log(System.Logger.Level level) {
        Objects.requireNonNull(level, "level");
        return (name, stream) -> new LineLogger(System.getLogger("dev.corral.plugin." + name),
                level, "[" + name + " " + stream + "] ", new LogLimiter(100, 64 * 1024, WasiClock.system(), null));
    }

    /** Like {@link #log(System.Logger.Level)}, to the given logger for every plugin. */
    static WasiOutput log(System.Logger logger, System.Logger.Level level) {
        return log(logger, level, 100, 64 * 1024, WasiClock.system());
    }

    /**
     * Like {@link #log(System.Logger, System.Logger.Level)} with the rate limit given: records and
     * bytes per second per instance and stream, measured on {@code clock} (a virtual clock makes
     * it deterministic).
     */
    static WasiOutput log(System.Logger logger, System.Logger.Level level, int messagesPerSecond,
            long bytesPerSecond, WasiClock clock) {
        Objects.requireNonNull(logger, "logger");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(clock, "clock");
        if (messagesPerSecond < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate limits must be >= 0");
        }
        return (name, stream) -> new LineLogger(logger, level, "[" + name + " " + stream + "] ",
                new LogLimiter(messagesPerSecond, bytesPerSecond, clock, null));
    }

    /** A bounded, thread-safe capture buffer; bytes beyond the bound are counted and dropped. */
    final class Capture implements WasiOutput {
        private final int maxBytes;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private long dropped;

        private Capture(int maxBytes) {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
            }
            this.maxBytes = maxBytes;
        }

        @Override
        public Sink open(String pluginName, String stream) {
            return new Sink() {
                @Override
                public void write(byte[] data, int off, int len) {
                    append(data, off, len);
                }

                @Override
                public long room() {
                    return Capture.this.room();
                }

                @Override
                public void skipped(long bytes) {
                    Capture.this.skipped(bytes);
                }
            };
        }

        private synchronized long room() {
            return maxBytes - buf.size();
        }

        private synchronized void skipped(long bytes) {
            dropped += bytes;
        }

        private synchronized void append(byte[] data, int off, int len) {
            int keep = Math.min(len, maxBytes - buf.size());
            buf.write(data, off, keep);
            dropped += len - keep;
        }

        public synchronized byte[] bytes() {
            return buf.toByteArray();
        }

        /** The captured bytes as UTF-8 (malformed sequences replaced). */
        public synchronized String text() {
            return buf.toString(StandardCharsets.UTF_8);
        }

        /** Bytes written beyond the bound. */
        public synchronized long droppedBytes() {
            return dropped;
        }

        public synchronized void clear() {
            buf.reset();
            dropped = 0;
        }
    }
}
