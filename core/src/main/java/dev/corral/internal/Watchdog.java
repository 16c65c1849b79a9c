package dev.corral.internal;

import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread per engine that fires call deadlines. It ticks every millisecond while any
 * plugin with a timeout exists (epoch style, as Wasmtime does) and parks otherwise; each tick
 * reads every registered {@link Deadline}. Plugins are held weakly, so a plugin dropped without
 * close() is forgotten once collected.
 *
 * <p>When the engine closes, the watchdog stops every call still running under a deadline, then
 * ends.
 *
 * <p>A scheduled task per call (the first design) cost ~175 ns per call; this costs a release
 * store and a CAS (see {@link Deadline}). A call's clock starts when a tick first sees it, so
 * deadlines fire between the timeout and the timeout plus about a tick, never early.
 */
public final class Watchdog {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ConcurrentLinkedQueue<WeakReference<Deadline>> deadlines = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean stopped;

    Watchdog() {
        thread = new Thread(this::run, "corral-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Watches {@code d} from now on (once per plugin). */
    public void register(Deadline d) {
        deadlines.add(new WeakReference<>(d));
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!stopped) {
            if (deadlines.isEmpty()) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, TICK_NANOS);
            }
            try {
                long now = System.nanoTime();
                for (var it = deadlines.iterator(); it.hasNext();) {
                    Deadline d = it.next().get();
                    if (d == null || d.retired()) {
                        it.remove();
                    } else {
                        d.check(now);
                    }
                }
            } catch (Throwable t) { // e.g. an OutOfMemoryError while a plugin exhausts the heap
                // the watchdog must outlive it: every timed call of the engine depends on it
            }
        }
        // the engine closed: stop every call still running rather than leave it unguarded. A call
        // re-reads the engine's closed flag after arming, but arming is a release store, not a
        // fence, so that read may pass it; a second sweep a tick later sees every such store
        // (a release store becomes visible in far less than a millisecond)
        finalSweep();
        long until = System.nanoTime() + TICK_NANOS;
        for (long left = TICK_NANOS; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(this, left);
        }
        finalSweep();
    }

    private void finalSweep() {
        for (var ref : deadlines) {
            Deadline d = ref.get();
            if (d != null) {
                d.fireNow();
            }
        }
    }

    void shutdown() {
        stopped = true;
        LockSupport.unpark(thread);
    }
}
