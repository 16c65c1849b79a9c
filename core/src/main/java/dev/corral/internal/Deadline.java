package dev.corral.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The deadline of one plugin's running call, checked by the {@link Watchdog} on every tick.
 * Arming and disarming are a few volatile writes and one CAS, not a scheduled task: a call with a
 * timeout costs tens of nanoseconds more than one without.
 *
 * <p>{@code state} is {@code seq << 2 | phase}. Each call gets a new sequence number, so a
 * watchdog that read the state of call k can never fire on call k+1: its CAS would fail.
 */
public final class Deadline {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Deadline.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final long DONE = 0;
    private static final long RUNNING = 1;
    private static final long FIRING = 2;
    private static final long FIRED = 3;
    private static final long PHASE = 3;

    @SuppressWarnings("unused") // through STATE
    private volatile long state;
    private volatile long due;
    private volatile Thread thread;
    private volatile boolean retired;

    /** Owner thread: starts a call that must end by {@code timeoutNanos} from now; returns its token. */
    public long arm(Thread caller, long timeoutNanos) {
        long token = (((long) STATE.getVolatile(this) >>> 2) + 1) << 2;
        thread = caller;
        due = System.nanoTime() + timeoutNanos;
        STATE.setVolatile(this, token | RUNNING);
        return token;
    }

    /**
     * Owner thread: ends the call. Returns true when the watchdog fired on it, after waiting until
     * its interrupt has been delivered, so the caller can take it back with Thread.interrupted().
     */
    public boolean disarm(long token) {
        if (STATE.compareAndSet(this, token | RUNNING, token | DONE)) {
            return false;
        }
        while ((long) STATE.getVolatile(this) != (token | FIRED)) {
            Thread.onSpinWait();
        }
        return true;
    }

    /**
     * Owner thread, during a call: nanoseconds until the call is due, 0 once it is due or the
     * watchdog fired; {@link Long#MAX_VALUE} between calls.
     */
    public long nanosLeft() {
        long phase = (long) STATE.getVolatile(this) & PHASE;
        if (phase == DONE) {
            return Long.MAX_VALUE;
        }
        if (phase != RUNNING) {
            return 0;
        }
        return Math.max(0, due - System.nanoTime());
    }

    /** The plugin is closed: the watchdog may forget it. */
    public void retire() {
        retired = true;
    }

    boolean retired() {
        return retired;
    }

    /** Watchdog thread, when its engine closes: fires on the running call, due or not. */
    void fireNow() {
        long s = (long) STATE.getVolatile(this);
        if ((s & PHASE) != RUNNING) {
            return;
        }
        long token = s & ~PHASE;
        if (STATE.compareAndSet(this, s, token | FIRING)) {
            try {
                thread.interrupt();
            } finally {
                STATE.setVolatile(this, token | FIRED); // disarm() waits for FIRED: never leave it spinning
            }
        }
    }

    /** Watchdog thread: fires if the running call is past due. */
    void check(long now) {
        long s = (long) STATE.getVolatile(this);
        if ((s & PHASE) != RUNNING || now - due < 0) {
            return;
        }
        long token = s & ~PHASE;
        if (STATE.compareAndSet(this, s, token | FIRING)) {
            try {
                thread.interrupt();
            } finally {
                STATE.setVolatile(this, token | FIRED); // disarm() waits for FIRED: never leave it spinning
            }
        }
    }
}
