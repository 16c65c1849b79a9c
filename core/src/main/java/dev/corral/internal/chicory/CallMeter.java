package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.corral.CallTimeoutException;
import dev.corral.FuelExhaustedException;
import dev.corral.LimitSource;
import dev.corral.PluginPolicy;
import dev.corral.internal.Deadline;
import dev.corral.internal.Engine;
import java.time.Duration;

/**
 * The fuel and the deadline of one plugin's calls: the fuel globals and the budget's accounting
 * (per call, per initialization, billed), the deadline's arming and disarming (interrupt or stop
 * word), and what a host function sees of both. {@link ChicoryPlugin}'s guard
 * ({@code outermost}) drives it around every outermost call.
 *
 * <p>Why a superclass rather than an object of its own: the guard's hot path (a trivial call
 * with fuel and a timeout costs a few nanoseconds over a plain one) reads and writes these fields
 * on every call. As the plugin's superclass they live in the one object the guard already holds,
 * so the move costs no extra dependent load, no allocation, and (the guard's moves are final) no
 * virtual call. It is abstract and package-private: there is exactly one kind of plugin.
 *
 * <p>Fuel: when the policy meters calls, the instance runs the instrumented variant and the
 * outermost call sets the fuel global to its budget and reads it back afterwards (two field
 * accesses); an unmetered plugin pays one final-field test per call and allocates nothing more.
 */
abstract class CallMeter {
    final PluginPolicy policy;
    final Engine engine;
    Deadline deadline; // created on the first call with a timeout
    String timedExport; // the outermost export running under the deadline, for messages
    CallLimits timedLimits; // the limits of that call, for messages
    /** The policy's limits, carried by every handle without limits of its own. */
    final CallLimits policyLimits;
    boolean callerInterrupted; // the caller's interrupt status when the deadline was armed
    /** Memory 0, whose stop word stops timed calls in stop mode (see StopChecks); null: every timed call is interrupted. */
    FlatMemory stopWord;
    /** The guard's nesting depth: 0 between calls, 1 in an outermost call, more in a guest→host→guest re-entry. */
    int depth;

    // ---- fuel (all unused when unmetered) ----
    final boolean metered;
    private final long hostCallFuel;
    private final int definedGlobals;
    private final int fuelSlot;
    GlobalInstance fuel;
    GlobalInstance reserve; // the fuel the running function's local does not hold (see MeteredEntry)
    /**
     * The metered variant's call-depth global (see CallDepth), reset to maxCallDepth before code
     * that reads it and after an exhausted call (see startMetered).
     */
    GlobalInstance callDepth;
    final int maxCallDepth;
    final int callDepthIndex;
    private int globalsCreated;
    long budget; // of the running or last outermost call
    private LimitSource budgetSource = LimitSource.POLICY; // whose budget that is, for messages
    long pendingFuel;
    long lastConsumed;
    long totalConsumed;
    long fuelBilled; // every outermost call's consumption, initialization's too (PluginStats)

    // ---- initialization's budget (see ChicoryPlugin.initialize) ----
    long initDue; // System.nanoTime() by which initialization must end, with an initTimeout
    long initFuelLeft; // with an initFuel

    CallMeter(Engine engine, PluginPolicy policy, ModuleVariant variant) {
        this.policy = policy;
        Duration timeout = policy.timeout().orElse(null);
        this.engine = engine;
        this.policyLimits = new CallLimits(timeout, LimitSource.POLICY, policy.fuel().orElse(0), LimitSource.POLICY);
        this.metered = variant.metered();
        this.hostCallFuel = policy.hostCallFuel();
        this.definedGlobals = variant.definedGlobals();
        this.maxCallDepth = policy.maxCallDepth();
        this.callDepthIndex = variant.fuelGlobal() + 2;
        this.fuelSlot = variant.fuelSlot();
    }

    /** The plugin's name, for messages. */
    public abstract String name();

    /**
     * Chicory's global factory for a metered instance. {@code Instance.initialize} re-creates the
     * globals and then runs the start function; the fuel global must hold
     * the budget before that, so it is seeded here.
     */
    GlobalInstance createGlobal(long value, long high, ValType type, MutabilityType mutability) {
        var g = new GlobalInstance(value, high, type, mutability);
        // the fuel global sits after the module's own, then its reserve and the call depth (the
        // splitter's registers follow)
        int k = globalsCreated++ % definedGlobals;
        if (k == fuelSlot) {
            g.setValue(budget);
            fuel = g;
        } else if (k == fuelSlot + 1) {
            reserve = g;
        } else if (k == fuelSlot + 2) {
            g.setValue(maxCallDepth);
            callDepth = g;
        }
        return g;
    }

    /**
     * The limits of an outermost call during initialization: the call's own where it has them,
     * else what is left of initialization's, else the policy's per-call ones.
     */
    final CallLimits initLimits(String export, CallLimits call) {
        Duration t = call.timeout;
        long tNanos = call.timeoutNanos;
        LimitSource ts = call.timeoutSource;
        if (ts != LimitSource.CALL && policy.initTimeout().isPresent()) {
            t = policy.initTimeout().get();
            tNanos = initDue - System.nanoTime();
            ts = LimitSource.INITIALIZATION;
            if (tNanos <= 0) { // host code of the initializer used it up between calls
                throw new CallTimeoutException(export, t, LimitSource.INITIALIZATION);
            }
        }
        long f = call.fuel;
        LimitSource fs = call.fuelSource;
        if (fs != LimitSource.CALL && policy.initFuel().isPresent()) {
            f = initFuelLeft;
            fs = LimitSource.INITIALIZATION;
            if (f <= 0) {
                throw new FuelExhaustedException(name(), export, policy.initFuel().getAsLong(), policy.initFuel().getAsLong(),
                        LimitSource.INITIALIZATION, null);
            }
        }
        return new CallLimits(t, tNanos, ts, f, fs);
    }

    // ---- what the plugin reports of its fuel (Plugin's fuel methods) and deadline (HostContext's) ----

    public long fuelConsumed() {
        if (!metered) {
            return 0;
        }
        return depth > 0 ? budget - fuel.getValue() : lastConsumed;
    }

    public long fuelConsumedTotal() {
        if (!metered) {
            return 0;
        }
        return depth > 0 ? totalConsumed + budget - fuel.getValue() : totalConsumed;
    }

    public long fuelRemaining() {
        requireMetered();
        return depth > 0 ? Math.max(0, fuel.getValue()) : saturatedAdd(policyLimits.fuel, pendingFuel);
    }

    void requireMetered() {
        if (!metered) {
            throw new IllegalStateException("plugin '" + name() + "' is not metered: set PluginPolicy.Builder.fuel");
        }
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Charges a host call's cost; called by the host-call adapters before the host runs. */
    final void chargeHostCall(String function) {
        if (hostCallFuel == 0 || fuel == null) {
            return;
        }
        long left = fuel.getValue() - hostCallFuel;
        fuel.setValue(left);
        if (left < 0) {
            throw new FuelExhaustedException(name(), function, budget - left, budget, budgetSource, null);
        }
    }

    boolean metered() {
        return metered;
    }

    /** Whether host calls are charged fuel: metered, with a non-zero {@code hostCallFuel}. */
    boolean chargesHostCalls() {
        return metered && hostCallFuel != 0;
    }

    public long nanosLeft() {
        return deadline == null || depth == 0 ? Long.MAX_VALUE : deadline.nanosLeft();
    }

    public void checkDeadline() {
        if (deadline != null && depth > 0 && deadline.nanosLeft() == 0) {
            throw new CallTimeoutException(timedExport, timedLimits.timeout, timedLimits.timeoutSource);
        }
    }

    // ---- the moves of the guard's outermost call (ChicoryPlugin.outermost) ----

    /** Ends the outermost call's deadline; whether it fired. */
    final boolean disarm(long token) {
        return (token & Deadline.STOP_MODE) != 0 ? stopWord.disarmStop() : deadline.disarm(token);
    }

    /**
     * Arms the deadline of an outermost call that the watchdog stops through the stop word: a
     * counter, a plain store and a release store, where an interrupted call also pays a CAS to
     * disarm and reads and restores the thread's interrupt status. No export or limits are kept
     * for messages: such a call cannot reach a host function, the only one to ask.
     */
    final long armStop(CallLimits limits) {
        Deadline d = deadline;
        if (d == null) {
            d = deadline();
        }
        long token = d.armStop(limits.timeoutNanos, stopWord);
        if (engine.closed()) { // as in arm(): the watchdog's last sweep may have missed us
            stopWord.disarmStop();
            engine.checkWatchdogRunning();
        }
        return token;
    }

    /** Arms the deadline for the outermost call; its token (never 0). */
    final long arm(String export, CallLimits limits) {
        Deadline d = deadline();
        Thread self = Thread.currentThread();
        callerInterrupted = self.isInterrupted();
        long token = d.arm(self, limits.timeoutNanos);
        if (engine.closed()) {
            closedWhileArming(d, token, callerInterrupted);
        }
        // reference fields are written only when they change: under G1 a reference store into a
        // plugin in the old generation (a pooled or long-lived one) goes through the card-marking
        // barrier, while such a plugin calls the same export again and again (the three stores of
        // a metered timed call cost ~0.5-1 ns of its ~20 ns once the plugin is tenured)
        if (timedExport != export) {
            timedExport = export;
        }
        if (timedLimits != limits) {
            timedLimits = limits;
        }
        return token;
    }

    /**
     * The outermost call's budget: the call's fuel plus any top-up, into the fuel global; and the
     * full call depth into its global for a call that reads it there ({@code wrapper}: the
     * export's wrapper or other code; MeteredEntry passes the depth to the clone instead).
     */
    final void startMetered(CallLimits limits, boolean wrapper) {
        long b = limits.fuel;
        if (pendingFuel != 0) {
            b = saturatedAdd(b, pendingFuel);
            pendingFuel = 0;
        }
        budget = b;
        if (budgetSource != limits.fuelSource) { // see arm(): no reference store when unchanged
            budgetSource = limits.fuelSource;
        }
        if (fuel != null) {
            fuel.setValue(b);
            if (wrapper) {
                resetCallDepth();
            }
        }
    }

    /**
     * The depth global back to the policy's maximum. Needed before code that reads it (a
     * wrapper), and after a call that exhausted it, so that the -1 left there never names a later
     * trap a stack exhaustion; a call through MeteredEntry neither reads it at entry nor leaves
     * anything but a depth or that -1 behind.
     */
    final void resetCallDepth() {
        callDepth.setValue(maxCallDepth);
    }

    final void finishMetered(CallLimits limits) {
        long consumed = fuel == null ? 0 : budget - fuel.getValue();
        lastConsumed = consumed;
        totalConsumed += consumed;
        fuelBilled += consumed;
        if (limits.fuelSource == LimitSource.INITIALIZATION) {
            initFuelLeft = budget - consumed; // what this step left, the next may use
        }
    }

    /** The deadline of this plugin, made and registered with the engine's watchdog on first use. */
    private Deadline deadline() {
        Deadline d = deadline;
        if (d == null) {
            d = new Deadline();
            engine.watchdog().register(d);
            deadline = d;
        } else {
            engine.checkWatchdogRunning();
        }
        return d;
    }

    /** The engine closed between the check before arming and arming: its watchdog's last sweep may have missed us. */
    private void closedWhileArming(Deadline d, long token, boolean wasInterrupted) {
        d.disarm(token);
        Thread.interrupted();
        if (wasInterrupted) {
            Thread.currentThread().interrupt();
        }
        engine.checkWatchdogRunning();
    }
}
