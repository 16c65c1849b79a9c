package dev.corral.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread per engine that fires call deadlines. Scheduling costs about a microsecond per
 * call with a timeout; calls without one never touch it.
 */
public final class Watchdog {
    private final ScheduledThreadPoolExecutor executor;

    Watchdog() {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "corral-watchdog");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    void shutdown() {
        executor.shutdownNow();
    }

    boolean isShutdown() {
        return executor.isShutdown();
    }
}
