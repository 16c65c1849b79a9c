package dev.corral.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The deadline of one plugin's running call, checked by the {@link Watchdog} on every tick. One per
 * plugin, reused by every call: arming is plain stores and one release store (no clock read, no
 * fence). How the call is stopped, and so what disarming costs, depends on its mode.
 *
 * <p><b>Interrupt mode</b> ({@link #arm} with {@code byFuel} false: an unmetered call, or a metered
 * call of an export that can call the host). The watchdog stops the call with
 * {@link Thread#interrupt}, which Chicory's loops and a blocked host function notice. Disarming is
 * one CAS, which decides against the watchdog's own CAS whether the call ended before the watchdog
 * fired on it, so an interrupt can never reach the caller after its call returned ({@code FIRING}
 * makes the owner wait until the interrupt has landed, so it can take it back).
 *
 * <p><b>Fuel mode</b> ({@code byFuel} true: a metered call of an export that cannot reach the host,
 * see {@code HostReach}; every loop and call of it charges fuel). The watchdog only CASes the state
 * from {@code GUEST} to {@code FIRED}, with no side effect on the thread. The fuel global reads as
 * empty while the state is {@code FIRED} ({@link #fired}, read by {@code FuelGlobal}), so the guest
 * traps at its next refill or direct charge, at most one fuel chunk later (about a millisecond of
 * compiled guest work), and the owner reports the timeout. Nothing is ever sent to the thread, so
 * disarming needs no atomic operation: a read and a release store. If the watchdog fires between
 * that read and that store, the call had already ended without noticing: its result stands and
 * the FIRED state is overwritten. The CAS this saves was the largest single cost of a metered
 * timed call (4-5 ns of ~20; benchmarks/README.md, "Sandbox cost per call", third pass). A call
 * that can reach the host keeps the interrupt: a host function may block (a sleep that ignores
 * {@code HostContext.nanosLeft()}) where fuel cannot stop it.
 *
 * <p>{@code state} is {@code seq << 3 | phase}. Each call gets a new sequence number, so a
 * watchdog that read the state of call k can never fire on call k+1: its CAS would fail. In fuel
 * mode the owner's plain store can overwrite a FIRED of its own call only, and between calls the
 * state is DONE in both modes, so nothing reads as fired then (snapshots see the fuel global as it
 * is) and the guest of call k+1 never sees call k's FIRED.
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
    /** Live, stopped by interrupt. */
    private static final long RUNNING = 1;
    private static final long FIRING = 2;
    private static final long FIRED = 3;
    /** Live, stopped by fuel (no interrupt). */
    private static final long GUEST = 4;
    private static final long PHASE = 7;
    private static final long STEP = 1L << 3;

    // ---- written by the owner thread: plain, published by the release store of state ----
    @SuppressWarnings("unused") // through STATE
    private volatile long state;
    private long next = STEP; // the owner's next token
    private long timeoutNanos;
    private Thread thread;
    private boolean guest; // the current (or last) call is in fuel mode

    // ---- written by the watchdog: the token it first saw running, and when (SEEN publishes seenAt) ----
    @SuppressWarnings("unused") // through SEEN
    private volatile long seen = -1;
    private long seenAt;
    private volatile boolean retired;

    /**
     * Owner thread: starts a call that must end {@code timeoutNanos} after it began (the value may
     * differ from call to call), in fuel mode when {@code byFuel} (the call runs only metered guest
     * code), else in interrupt mode; returns its token for {@link #disarm}.
     */
    public long arm(Thread caller, long timeoutNanos, boolean byFuel) {
        long token = next;
        next = token + STEP;
        this.timeoutNanos = timeoutNanos;
        if (thread != caller) {
            thread = caller;
        }
        guest = byFuel;
        STATE.setRelease(this, token | (byFuel ? GUEST : RUNNING));
        return token;
    }

    /**
     * Owner thread: ends the call. Returns true when the watchdog fired on it. In interrupt mode
     * that means it interrupted the thread, and this waits until the interrupt has been delivered,
     * so the caller can take it back with Thread.interrupted() ({@link #interrupts}); in fuel mode
     * nothing was sent to the thread.
     */
    public boolean disarm(long token) {
        if (guest) {
            // no CAS: the watchdog's only move on a fuel-mode call is GUEST -> FIRED, which has no
            // side effect, so overwriting it is harmless; a guest that was stopped by it read FIRED
            // before this read (same thread, same variable), so the read sees it
            long s = (long) STATE.getAcquire(this);
            STATE.setRelease(this, token | DONE);
            return s == (token | FIRED);
        }
        if (STATE.compareAndSet(this, token | RUNNING, token | DONE)) {
            return false;
        }
        while ((long) STATE.getVolatile(this) != (token | FIRED)) {
            Thread.onSpinWait();
        }
        // the watchdog is done with this call (it only moves live states): between calls nothing
        // reads as fired, so the fuel globals read as they are (snapshots, the next call's entry)
        STATE.setRelease(this, token | DONE);
        return true;
    }

    /** Owner thread, after {@link #disarm}: whether the call was in interrupt mode (a fired call was interrupted). */
    public boolean interrupts() {
        return !guest;
    }

    /**
     * The guest thread, reading its fuel global: whether the running call is past due and must
     * stop. A plain read: this sits under every read of the fuel global (once per host call under
     * fuel, in the reload after it), and an acquire or opaque read there cost ~2 ns per host call
     * in {@code CallCost} (C2 puts a compiler barrier around it). A plain read is still re-done
     * after every loop back-edge: Chicory checks the thread's interrupt flag there, a volatile read
     * that no later load may move above, and a new wasm call is a new read, so the guest sees the
     * watchdog's FIRED at the latest at its first refill after the CAS has reached its cache.
     */
    public boolean fired() {
        return ((long) STATE.get(this) & PHASE) == FIRED;
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
        if (phase != RUNNING && phase != GUEST) {
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
        if (live(s)) {
            fire(s);
        }
    }

    /** Watchdog thread: starts the running call's clock at first sight, fires once it is past due. */
    void check(long now) {
        long s = (long) STATE.getVolatile(this);
        if (!live(s)) {
            return;
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

    private static boolean live(long s) {
        long phase = s & PHASE;
        return phase == RUNNING || phase == GUEST;
    }

    /** The raw state, for tests that replay a watchdog's stale read ({@link #fire}). */
    long state() {
        return (long) STATE.getVolatile(this);
    }

    /** Fires on the call whose state the watchdog read as {@code s}; nothing if the state has moved on since. */
    void fire(long s) {
        if (!live(s)) {
            return;
        }
        long token = s & ~PHASE;
        if ((s & PHASE) == GUEST) {
            // fuel mode: the guest stops itself at its next refill; nothing to deliver. If the
            // owner has moved on (disarmed, or switched to interrupt mode at a host call), the CAS
            // fails and the next tick sees the new state
            STATE.compareAndSet(this, s, token | FIRED);
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
