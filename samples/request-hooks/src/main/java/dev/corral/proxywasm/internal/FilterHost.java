package dev.corral.proxywasm.internal;

import dev.corral.capabilities.WasiClock;
import dev.corral.proxywasm.AbiVersion;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the VMs of one filter share: its identity and configuration, its logger and clock, its
 * limits, the shared data and queues, the metrics, the tick period and the counters.
 * Thread-safe; one per {@code ProxyWasmFilter}.
 */
public final class FilterHost {
    public final String name;
    public final String rootId;
    public final String vmId;
    public final AbiVersion abi;
    public final byte[] vmConfig;
    public final byte[] pluginConfig;
    public final WasiClock clock;
    public final Logger logger;
    public final int maxHeaderBytes;
    public final int maxBodyBytes;
    public final SharedStore shared;
    public final Metrics metrics;
    /** 0 = no ticks; set by any VM of the filter (they run the same code). */
    public final AtomicLong tickPeriodMillis = new AtomicLong();
    public final LongAdder deniedCalls = new LongAdder();

    public FilterHost(String name, String rootId, String vmId, AbiVersion abi, byte[] vmConfig, byte[] pluginConfig,
            WasiClock clock, Logger logger, int maxHeaderBytes, int maxBodyBytes, SharedStore shared, Metrics metrics) {
        this.name = name;
        this.rootId = rootId;
        this.vmId = vmId;
        this.abi = abi;
        this.vmConfig = vmConfig;
        this.pluginConfig = pluginConfig;
        this.clock = clock;
        this.logger = logger;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBodyBytes = maxBodyBytes;
        this.shared = shared;
        this.metrics = metrics;
    }

    /** A record from the filter, tagged with its name. */
    public void log(Level level, String message) {
        if (logger.isLoggable(level)) {
            logger.log(level, "[" + name + "] " + message);
        }
    }

    /** The most verbose ABI log level the host keeps (for {@code proxy_get_log_level}). */
    int abiLogLevel() {
        if (logger.isLoggable(Level.TRACE)) {
            return Abi.LOG_TRACE;
        }
        if (logger.isLoggable(Level.DEBUG)) {
            return Abi.LOG_DEBUG;
        }
        if (logger.isLoggable(Level.INFO)) {
            return Abi.LOG_INFO;
        }
        if (logger.isLoggable(Level.WARNING)) {
            return Abi.LOG_WARN;
        }
        if (logger.isLoggable(Level.ERROR)) {
            return Abi.LOG_ERROR;
        }
        return Abi.LOG_CRITICAL;
    }
}
