package dev.corral.capabilities.internal;

import dev.corral.capabilities.WasiClock;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.LongAdder;

/**
 * One instance's log rate limit: a fixed one-second window on a {@link WasiClock}, at most so
 * many records and bytes per window. What it drops is counted and reported in one WARNING record
 * when the next window opens (or the instance closes). Shared by {@code PluginLogging} and
 * {@code WasiOutput.log}. Not part of a plugin snapshot: a restore must not hand a plugin a fresh
 * budget.
 */
public final class LogLimiter {
    private final int maxMessages;
    private final long maxBytes;
    private final WasiClock clock;
    private final LongAdder droppedTotal;
    private long windowStart = Long.MIN_VALUE;
    private int messages;
    private long bytes;
    private long droppedHere;

    /** @param droppedTotal summed over every instance of a grant; may be null */
    public LogLimiter(int maxMessages, long maxBytes, WasiClock clock, LongAdder droppedTotal) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.droppedTotal = droppedTotal;
    }

    /** Whether a record of {@code size} bytes may go out now; counts it either way. */
    public boolean admit(long size, System.Logger logger, String prefix) {
        long now = clock.monotonicNanos();
        if (windowStart == Long.MIN_VALUE || now - windowStart >= 1_000_000_000L || now < windowStart) {
            windowStart = now;
            messages = 0;
            bytes = 0;
            reportDrops(logger, prefix);
        }
        if (messages >= maxMessages || bytes + size > maxBytes) {
            droppedHere++;
            if (droppedTotal != null) {
                droppedTotal.increment();
            }
            return false;
        }
        messages++;
        bytes += size;
        return true;
    }

    /** One WARNING record for what was dropped since the last report, if anything. */
    public void reportDrops(System.Logger logger, String prefix) {
        if (droppedHere > 0) {
            logger.log(Level.WARNING, prefix + droppedHere + " log messages dropped by the rate limit");
            droppedHere = 0;
        }
    }
}
