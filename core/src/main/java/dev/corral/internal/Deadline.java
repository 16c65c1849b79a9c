package dev.corral.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The deadline of one plugin's running call, checked by the {@link Watchdog} on every tick. One per
 * plugin, reused by every call: arming is plain stores and one release store (no clock read, no
 * fence), disarming one CAS. That CAS is the only atomic operation a timed call pays; it decides,
 * against the watchdog's own CAS, whether the call ended before the watchdog fired on it, so an
 * interrupt can never reach the caller after its call returned.
 *
 * <p>{@code state} is {@code seq << 3 | mode | phase}. Each call gets a new sequence number, so a
 * watchdog that read the state of call k can never fire on call k+1: its CAS would fail.
 *
 * <p><b>Stop mode.</b> A call whose code checks a {@link StopWord} (compiled code that can neither
 * reach the host nor recurse) is stopped by setting a bit in that word instead of interrupting its
 * thread. A stale stop is harmless there (the word names its call, and the owner's next store
 * replaces it), so such a call is armed and disarmed in the word alone, with a release store and
 * an opaque one: no CAS, no interrupt status to read or restore. The watchdog reads the word
 * where {@code state} says no interrupted call runs.
 *
 * <p>Time is the watchdog's, epoch style as in Wasmtime: the call's clock starts at the first
 * sweep that sees it running (at most about one tick after it started), so a deadline fires at
 * {@code timeout} to {@code timeout} plus about a tick after the call began, never before. Reading
 * {@link System#nanoTime} on the caller's side instead cost ~20 ns per call, three times the whole
 * trivial call (benchmarks/README.md, "Sandbox cost per call").
 */
public final class Deadline {
    private static final VarHandle STATE;
    private static final VarHandle SEEN;

    static {
        try {
            var lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Deadline.class, "state", long.class);
            SEEN = lookup.findVarHandle(Deadline.class, "seen", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final long DONE = 0;
    private static final long RUNNING = 1;
    private static final long FIRING = 2;
    private static final long FIRED = 3;
    private static final long PHASE = 3;
    /** The call is stopped through its {@link StopWord}, never interrupted. */
    public static final long STOP_MODE = 4;
    private static final long SEQ = 8;

    /**
     * The word a call in stop mode is armed in: it holds the running call's token (0 between
     * calls, bit 0 set once stopped), and the call's code stops at its next check once the bit is
     * set. The owner arms and disarms it; the watchdog only reads and stops.
     */
    public interface StopWord {
        /** Owner: the call with {@code token} starts (a release store: the deadline's fields are published by it). */
        void arm(long token);

        /** Watchdog: the word's value, read with acquire semantics. */
        long read();

        /** Watchdog: stops the call with {@code token} if it is still the running one; else nothing. */
        void stop(long token);
    }

    // ---- written by the owner thread: plain, published by the release store of state ----
    @SuppressWarnings("unused") // through STATE
    private volatile long state;
    private long next = SEQ; // the owner's next token
    private long timeoutNanos;
    private Thread thread;
    private StopWord word;

    // ---- written by the watchdog: the token it first saw running, and when (SEEN publishes seenAt) ----
    @SuppressWarnings("unused") // through SEEN
    private volatile long seen = -1;
    private long seenAt;
    private volatile boolean retired;

    /**
     * Owner thread: starts a call that must end {@code timeoutNanos} after it began (the value may
     * differ from call to call); returns its token for {@link #disarm}.
     */
    public long arm(Thread caller, long timeoutNanos) {
        long token = next;
        next = token + SEQ;
        this.timeoutNanos = timeoutNanos;
        if (thread != caller) {
            thread = caller;
        }
        STATE.setRelease(this, token | RUNNING);
        return token;
    }

    /**
     * Owner thread: starts a call in stop mode, armed in {@code word} alone (the state stays as the
     * last interrupted call left it); returns its token. The word's disarm ends it.
     */
    public long armStop(long timeoutNanos, StopWord word) {
        long token = next | STOP_MODE;
        next = token + (SEQ - STOP_MODE);
        this.timeoutNanos = timeoutNanos;
        if (this.word != word) {
            this.word = word;
        }
        word.arm(token);
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
     * watchdog fired; {@link Long#MAX_VALUE} between calls. Never more than the real time left
     * by more than the watchdog's lag in first seeing the call (about a tick), the same lag the
     * watchdog fires with: a host function that waits {@code nanosLeft()} and then checks finds
     * the call at its deadline as the guest would.
     */
    public long nanosLeft() {
        long s = (long) STATE.getAcquire(this);
        long phase = s & PHASE;
        if (phase == DONE) {
            return Long.MAX_VALUE;
        }
        if (phase != RUNNING) {
            return 0;
        }
        if ((long) SEEN.getAcquire(this) != (s & ~PHASE)) {
            return timeoutNanos; // the watchdog has not seen it yet: its clock has not started
        }
        return Math.max(0, timeoutNanos - (System.nanoTime() - seenAt));
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
        if ((s & PHASE) == RUNNING) {
            fire(s);
        }
        s = stopModeState();
        if (s != 0) {
            fire(s);
        }
    }

    /** The state of the call running in stop mode, as {@code token | RUNNING}; 0 when none is. */
    private long stopModeState() {
        StopWord w = word;
        if (w == null) {
            return 0;
        }
        long v = w.read();
        return v == 0 || (v & 1) != 0 ? 0 : v | RUNNING;
    }

    /** Watchdog thread: starts the running call's clock at first sight, fires once it is past due. */
    void check(long now) {
        long s = (long) STATE.getVolatile(this);
        if ((s & PHASE) != RUNNING) {
            s = stopModeState();
            if (s == 0) {
                return;
            }
        }
        long token = s & ~PHASE;
        if ((long) SEEN.getOpaque(this) != token) {
            seenAt = now;
            SEEN.setRelease(this, token);
            return; // a timeout shorter than a tick fires at the next one
        }
        if (now - seenAt >= timeoutNanos) {
            fire(s);
        }
    }

    /** The raw state, for tests that replay a watchdog's stale read ({@link #fire}). */
    long state() {
        return (long) STATE.getVolatile(this);
    }

    /** Fires on the running call whose state the watchdog read as {@code s}; nothing if it has moved on since. */
    void fire(long s) {
        if ((s & PHASE) != RUNNING) {
            return;
        }
        long token = s & ~PHASE;
        if ((token & STOP_MODE) != 0) {
            word.stop(token); // the word stops only the call it names
            return;
        }
        if (STATE.compareAndSet(this, s, token | FIRING)) {
            try {
                thread.interrupt();
            } finally {
                STATE.setVolatile(this, token | FIRED); // disarm() waits for FIRED: never leave it spinning
            }
        }
    }
}
