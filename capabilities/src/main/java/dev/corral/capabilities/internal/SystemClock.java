package dev.corral.capabilities.internal;

import dev.corral.capabilities.WasiClock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** {@code WasiClock.system()}: one instance, so WASI can tell "the host's own time" by identity. */
public final class SystemClock implements WasiClock {
    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanos);
    }

    @Override
    public String toString() {
        return "system";
    }
}
