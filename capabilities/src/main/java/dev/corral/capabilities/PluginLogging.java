package dev.corral.capabilities;

import dev.corral.FunctionSignature;
import dev.corral.PluginModule;
import dev.corral.ValueType;
import dev.corral.capabilities.internal.LogLimiter;
import dev.corral.capabilities.internal.LogText;
import dev.corral.spi.Capability;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logging for plugins through {@code System.Logger} (no logging dependency): host module
 * {@value #MODULE} with
 * <ul>
 *   <li>{@code log(level: i32, ptr: i32, len: i32)}: one UTF-8 message;
 *   <li>{@code enabled(level: i32) -> i32}: 1 if a message at that level would be kept, so guests can
 *       skip formatting.
 * </ul>
 * Levels: 0 trace, 1 debug, 2 info, 3 warn, 4 error (out-of-range values are clamped). Records go
 * to logger {@code dev.corral.plugin.<plugin name>} (or the one given), prefixed {@code [name]}.
 * Per plugin instance: a level threshold, a message-size cap (longer messages are cut), and a
 * rate limit in messages and bytes per second; what the limit drops is counted and reported in one
 * WARNING record when logging resumes (or the plugin closes). Control characters in messages are
 * escaped ({@code \n}, {@code \x1b}, ...), so a guest cannot forge records or drive a terminal.
 */
public final class PluginLogging implements Capability {
    public static final String MODULE = "corral_log";
    private static final Level[] LEVELS = {Level.TRACE, Level.DEBUG, Level.INFO, Level.WARNING, Level.ERROR};

    private final Level threshold;
    private final int maxMessageBytes;
    private final int maxMessagesPerSecond;
    private final long maxBytesPerSecond;
    private final WasiClock clock;
    private final System.Logger logger;
    private final LongAdder dropped = new LongAdder();

    private PluginLogging(Builder b) {
        this.threshold = b.threshold;
        this.maxMessageBytes = b.maxMessageBytes;
        this.maxMessagesPerSecond = b.maxMessagesPerSecond;
        this.maxBytesPerSecond = b.maxBytesPerSecond;
        this.clock = b.clock;
        this.logger = b.logger;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Messages dropped by the rate limits so far, over every instance bound to this grant. */
    public long droppedMessages() {
        return dropped.sum();
    }

    @Override
    public Binding bind(PluginModule module) {
        var logger = this.logger != null ? this.logger : System.getLogger("dev.corral.plugin." + module.name());
        var prefix = "[" + module.name() + "] ";
        var limiter = new LogLimiter(maxMessagesPerSecond, maxBytesPerSecond, clock, dropped);
        var i32 = ValueType.I32;
        var log = HostFunctionDef.of(MODULE, "log", FunctionSignature.of(List.of(i32, i32, i32), List.of()), (ctx, a) -> {
            Level level = level(a[0]);
            int len = (int) a[2];
            if (!keep(level, logger)) {
                return new long[0];
            }
            int n = Math.min(Math.max(len, 0), maxMessageBytes);
            if (limiter.admit(n, logger, prefix)) {
                byte[] bytes = ctx.memory().read((int) a[1], n);
                String text = LogText.escape(new String(bytes, StandardCharsets.UTF_8));
                logger.log(level, prefix + text + (n < len ? "…" : ""));
            }
            return new long[0];
        });
        var enabled = HostFunctionDef.of(MODULE, "enabled", FunctionSignature.of(List.of(i32), List.of(i32)),
                (ctx, a) -> new long[] {keep(level(a[0]), logger) ? 1 : 0});
        var hm = HostModuleDef.of(MODULE, List.of(log, enabled));
        return new Binding() {
            @Override
            public List<HostModuleDef> hostModules() {
                return List.of(hm);
            }

            /**
             * Nothing to put back: the only state is the rate limit's window and drop count, a
             * bound over real time that a restore must not reset (it would hand a plugin that
             * is restored after every call a fresh budget each time).
             */
            @Override
            public Snapshot snapshot() {
                return Snapshot.NONE;
            }

            @Override
            public void close() {
                limiter.reportDrops(logger, prefix);
            }
        };
    }

    private static Level level(long raw) {
        return LEVELS[(int) Math.max(0, Math.min(4, raw))];
    }

    private boolean keep(Level level, System.Logger logger) {
        return level.getSeverity() >= threshold.getSeverity() && logger.isLoggable(level);
    }

    public static final class Builder {
        private Level threshold = Level.INFO;
        private int maxMessageBytes = 4096;
        private int maxMessagesPerSecond = 100;
        private long maxBytesPerSecond = 64 * 1024;
        private WasiClock clock = WasiClock.system();
        private System.Logger logger;

        private Builder() {}

        /** Messages below this level are dropped silently (default INFO). */
        public Builder threshold(Level level) {
            this.threshold = Objects.requireNonNull(level, "level");
            return this;
        }

        /** Longer messages are cut to this many bytes (default 4096). */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxMessageBytes must be >= 0");
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** Per instance and second; beyond, messages are dropped and counted (default 100, 64 KiB). */
        public Builder rateLimit(int messagesPerSecond, long bytesPerSecond) {
            if (messagesPerSecond < 0 || bytesPerSecond < 0) {
                throw new IllegalArgumentException("rate limits must be >= 0");
            }
            this.maxMessagesPerSecond = messagesPerSecond;
            this.maxBytesPerSecond = bytesPerSecond;
            return this;
        }

        /** The time the rate limit is measured in (default the system clock; a virtual one for tests and games). */
        public Builder clock(WasiClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Send every plugin's records to this logger instead of {@code dev.corral.plugin.<name>}. */
        public Builder logger(System.Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        public PluginLogging build() {
            return new PluginLogging(this);
        }
    }
}
