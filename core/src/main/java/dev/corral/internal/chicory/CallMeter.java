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
 * The fuel and the deadline of one plugin's calls: the fuel globals and the budget's accounting,
 * the deadline's arming and disarming, and what a host function sees of both. The superclass of
 * {@link ChicoryPlugin}, whose guard ({@code outermost}) drives it; a superclass rather than an
 * object of its own so that the guard's hot path reads these fields from the plugin it already
 * holds, with no extra dependent load.
 *
 * <p>A metered timed call of an export that cannot call the host is stopped by its fuel, not by an
 * interrupt; see {@link Deadline}, {@link FuelGlobal} and {@link HostReach}.
 */
abstract class CallMeter {
    final Engine engine;
    /** The policy's limits, carried by every handle without limits of its own. */
    final CallLimits policyLimits;
    /**
     * Created on the first call with a timeout, or with the plugin when metered (its fuel globals
     * read it, see FuelGlobal); registered with the watchdog on the first call with a timeout.
     */
    Deadline deadline;
    private boolean watched;
    String timedExport; // the outermost export running under the deadline, for messages
    CallLimits timedLimits; // the limits of that call, for messages
    boolean callerInterrupted; // the caller's interrupt status when the deadline was armed

    // ---- fuel (all unused when unmetered) ----
    final boolean metered;
    private final long hostCallFuel;
    private final int definedGlobals;
    private final int fuelSlot;
    FuelGlobal fuel;
    GlobalInstance reserve; // the fuel the running function's local does not hold (see MeteredEntry)
    /** The metered variant's call-depth global (see CallDepth), reset to maxCallDepth by each outermost call. */
    GlobalInstance callDepth;
    final int maxCallDepth;
    final int callDepthIndex;
    private int globalsCreated;
    long budget; // of the running or last outermost call
    LimitSource budgetSource = LimitSource.POLICY; // whose budget that is, for messages
    long initFuelLeft; // with an initFuel, during initialization
    long pendingFuel;
    long lastConsumed;
    long totalConsumed;
    long fuelBilled;
    /** The plugin is inside a call (the guard's depth): reads of the fuel are of the running call. */
    int depth;

    CallMeter(Engine engine, PluginPolicy policy, ModuleVariant variant) {
        Duration timeout = policy.timeout().orElse(null);
        this.engine = engine;
        this.policyLimits = new CallLimits(timeout, LimitSource.POLICY, policy.fuel().orElse(0), LimitSource.POLICY);
        this.metered = variant.metered();
        this.hostCallFuel = policy.hostCallFuel();
        this.definedGlobals = variant.definedGlobals();
        this.maxCallDepth = policy.maxCallDepth();
        this.callDepthIndex = variant.fuelGlobal() + 2;
        this.fuelSlot = variant.fuelSlot();
        this.deadline = metered ? new Deadline() : null;
    }

    public abstract String name();

    /**
     * Chicory's global factory for a metered instance. {@code Instance.initialize} re-creates the
     * globals and then runs the start function; the fuel global must hold
     * the budget before that, so it is seeded here.
     */
    GlobalInstance createGlobal(long value, long high, ValType type, MutabilityType mutability) {
        // the fuel global sits after the module's own, then its reserve and the call depth (the
        // splitter's registers follow)
        int k = globalsCreated++ % definedGlobals;
        if (k == fuelSlot) {
            var f = new FuelGlobal(value, high, type, mutability, deadline);
            f.setValue(budget);
            fuel = f;
            return f;
        }
        var g = new GlobalInstance(value, high, type, mutability);
        if (k == fuelSlot + 1) {
            reserve = g;
        } else if (k == fuelSlot + 2) {
            g.setValue(maxCallDepth);
            callDepth = g;
        }
        return g;
    }

    public long fuelConsumed() {
        if (!metered) {
            return 0;
        }
        return depth > 0 ? budget - fuel.raw() : lastConsumed;
    }

    public long fuelConsumedTotal() {
        if (!metered) {
            return 0;
        }
        return depth > 0 ? totalConsumed + budget - fuel.raw() : totalConsumed;
    }

    public long fuelRemaining() {
        requireMetered();
        return depth > 0 ? Math.max(0, fuel.raw()) : saturatedAdd(policyLimits.fuel, pendingFuel);
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
    void chargeHostCall(String function) {
        if (hostCallFuel == 0 || fuel == null) {
            return;
        }
        long left = fuel.raw() - hostCallFuel;
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

    public long fuelBilled() {
        return fuelBilled;
    }

    public long nanosLeft() {
        return deadline == null || depth == 0 ? Long.MAX_VALUE : deadline.nanosLeft();
    }

    public void checkDeadline() {
        if (deadline != null && depth > 0 && deadline.nanosLeft() == 0) {
            throw new CallTimeoutException(timedExport, timedLimits.timeout, timedLimits.timeoutSource);
        }
    }

    /**
     * Arms the deadline for the outermost call; its token (never 0). {@code fuelStop}: the export
     * cannot call the host (HostReach), so a metered call of it is stopped by its fuel.
     */
    long arm(String export, CallLimits limits, boolean fuelStop) {
        Deadline d = deadline();
        Thread self = Thread.currentThread();
        callerInterrupted = self.isInterrupted();
        // stopped by its fuel once its fuel global exists (see Deadline); the start function and
        // anything that can call the host, by interrupt
        boolean byFuel = fuelStop && fuel != null;
        long token = d.arm(self, limits.timeoutNanos, byFuel);
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

    /** Ends the outermost call's deadline; whether the watchdog fired on it. */
    boolean disarm(long token) {
        return deadline.disarm(token);
    }

    /** The outermost call's budget: the call's fuel plus any top-up, into the fuel global. */
    void startMetered(CallLimits limits) {
        long b = saturatedAdd(limits.fuel, pendingFuel);
        pendingFuel = 0;
        budget = b;
        if (budgetSource != limits.fuelSource) { // see arm(): no reference store when unchanged
            budgetSource = limits.fuelSource;
        }
        if (fuel != null) {
            fuel.setValue(b);
            callDepth.setValue(maxCallDepth);
        }
    }

    void finishMetered(CallLimits limits) {
        long left = fuel == null ? budget : fuel.raw();
        if (!FuelGlobal.sane(left)) {
            left = stoppedLeft();
        }
        long consumed = budget - left;
        lastConsumed = consumed;
        totalConsumed += consumed;
        fuelBilled += consumed;
        if (limits.fuelSource == LimitSource.INITIALIZATION) {
            initFuelLeft = budget - consumed; // what this step left, the next may use
        }
    }

    /**
     * What a call stopped at its deadline by its fuel left, an estimate: the guest trapped after
     * writing something derived from {@link FuelGlobal#STOPPED} into the fuel global, so the
     * reserve is the best figure left (what no local held at the guest's last refill), unless a
     * take wrote STOPPED there too. An interrupted call's figure was no better: the fuel global is
     * stale while a clone runs.
     */
    long stoppedLeft() {
        long r = reserve == null ? 0 : reserve.getValue();
        return FuelGlobal.sane(r) ? Math.max(0, Math.min(budget, r)) : 0;
    }

    /** The deadline of this plugin, made and registered with the engine's watchdog on first use. */
    Deadline deadline() {
        Deadline d = deadline;
        if (!watched) {
            if (d == null) {
                d = new Deadline();
                deadline = d;
            }
            engine.watchdog().register(d);
            watched = true;
        } else {
            engine.checkWatchdogRunning();
        }
        return d;
    }

    /** The engine closed between the check before arming and arming: its watchdog's last sweep may have missed us. */
    void closedWhileArming(Deadline d, long token, boolean wasInterrupted) {
        d.disarm(token);
        Thread.interrupted();
        if (wasInterrupted) {
            Thread.currentThread().interrupt();
        }
        engine.checkWatchdogRunning();
    }
}
