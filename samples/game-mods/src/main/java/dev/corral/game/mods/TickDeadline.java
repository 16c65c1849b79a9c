package dev.corral.game.mods;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The deadline of one mod's tick, separate from the plugin's own timeout (which must also leave
 * room for loading a mod). A daemon thread checks once a millisecond and interrupts the game
 * thread when the armed deadline passes; Corral turns that interrupt into a
 * {@code CallInterruptedException} at the guest's next call or loop back-edge. {@link #disarm()}
 * clears a late interrupt, so it never leaks into the next mod's call.
 */
final class TickDeadline implements AutoCloseable {
    private static final int IDLE = 0;
    private static final int ARMED = 1;
    private static final int FIRING = 2;
    private static final int FIRED = 3;

    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final Thread watcher;
    private volatile Thread target;
    private volatile long deadline;
    private volatile boolean closed;

    TickDeadline() {
        watcher = new Thread(this::watch, "corral-game-deadline");
        watcher.setDaemon(true);
        watcher.start();
    }

    void arm(long timeoutNanos) {
        target = Thread.currentThread();
        deadline = System.nanoTime() + timeoutNanos;
        state.set(ARMED);
    }

    /** Ends the deadline; true if it fired (the caller's interrupt flag is cleared either way). */
    boolean disarm() {
        if (state.compareAndSet(ARMED, IDLE)) {
            return false;
        }
        while (state.get() == FIRING) {
            Thread.onSpinWait();
        }
        state.set(IDLE);
        Thread.interrupted();
        return true;
    }

    private void watch() {
        while (!closed) {
            LockSupport.parkNanos(1_000_000);
            if (state.get() == ARMED && System.nanoTime() - deadline > 0 && state.compareAndSet(ARMED, FIRING)) {
                target.interrupt();
                state.set(FIRED);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
