package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.corral.CallTimeoutException;
import dev.corral.CorralException;
import dev.corral.FuelExhaustedException;
import dev.corral.FunctionSignature;
import dev.corral.LimitSource;
import dev.corral.Plugin;
import dev.corral.PluginExitException;
import dev.corral.PluginFunction;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.PluginSnapshot;
import dev.corral.PluginStats;
import dev.corral.Results;
import dev.corral.StackExhaustedException;
import dev.corral.TrapException;
import dev.corral.ValueType;
import dev.corral.spi.Capability;
import dev.corral.internal.Deadline;
import dev.corral.internal.Engine;
import dev.corral.internal.ManagedPlugin;
import dev.corral.internal.Usage;
import dev.corral.internal.events.Events;
import dev.corral.internal.events.PluginCallEvent;
import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance and the guard around every entry into it: thread confinement, the deadline, and
 * the translation of whatever comes out into Corral's exceptions.
 *
 * <p>Confinement is sticky ownership: the first call CASes {@code owner} from null to the caller;
 * later calls by the owner cost one volatile read and a compare. A CAS on every call (to allow any
 * thread, one at a time) would double the cost of a trivial call, so handing a plugin to another
 * thread takes an explicit {@link #release()} (pools do it for you).
 *
 * <p>Fuel: when the policy meters calls, the instance runs the instrumented variant and the
 * outermost call sets the fuel global to its budget and reads it back afterwards (two field
 * accesses); an unmetered plugin pays one final-field test per call and allocates nothing more.
 */
final class ChicoryPlugin implements ManagedPlugin, HostContext, Usage.Counted {
    private static final VarHandle OWNER;
    private static final long[] NO_RESULTS = new long[0];
    /** Parked in {@code owner} by close(): never started, never equal to a caller. */
    private static final Thread CLOSED = new Thread("corral-closed-plugin");
    /** Parked in {@code owner} while the plugin waits in a pool: calls fail until it is lent again. */
    private static final Thread IDLE = new Thread("corral-pooled-plugin");

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(ChicoryPlugin.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }


    private final ChicoryModule module;
    private final PluginPolicy policy;
    private final Engine engine;
    private Deadline deadline; // created on the first call with a timeout
    private String timedExport; // the outermost export running under the deadline, for messages
    private Limits timedLimits; // the limits of that call, for messages
    /** The policy's limits, carried by every handle without limits of its own. */
    private final Limits policyLimits;
    private boolean callerInterrupted; // the caller's interrupt status when the deadline was armed
    private final Errors errors;
    private final ModuleVariant variant;
    private Instance instance;
    private List<Capability.Binding> bindings = List.of();
    private GuestMemory memory;
    private final Map<String, Handle> handles = new HashMap<>();

    @SuppressWarnings("unused") // accessed through OWNER
    private volatile Thread owner;
    private int depth;
    /** A call ended with an exception since the last restore: the state may be anything. */
    private boolean faulted;
    private InstanceSnapshot.Layout snapshotLayout;
    // ---- counters (plain fields: only the owner writes them; Usage sums them for the module and engine) ----
    private long calls;
    private long failedCalls;
    private long fuelBilled;

    // ---- fuel (all unused when unmetered) ----
    private final boolean metered;
    /**
     * No fuel, no deadline: a call needs only the ownership test and error mapping. Cleared while
     * initializing under initialization limits, so that every call takes the guard.
     */
    private boolean plain;
    private final long hostCallFuel;
    private final int definedGlobals;
    private final int fuelSlot;
    private GlobalInstance fuel;
    private GlobalInstance reserve; // the fuel the running function's local does not hold (see MeteredEntry)
    /** The metered variant's call-depth global (see CallDepth), reset to maxCallDepth by each outermost call. */
    private GlobalInstance callDepth;
    private final int maxCallDepth;
    private final int callDepthIndex;
    private int globalsCreated;
    private long budget; // of the running or last outermost call
    private LimitSource budgetSource = LimitSource.POLICY; // whose budget that is, for messages

    // ---- initialization (start function, _initialize, the initializer): one budget of its own ----
    private boolean initializing;
    private long initDue; // System.nanoTime() by which initialization must end, with an initTimeout
    private long initFuelLeft; // with an initFuel
    private long pendingFuel;
    private long lastConsumed;
    private long totalConsumed;

    ChicoryPlugin(ChicoryModule module, PluginPolicy policy, ModuleVariant variant) {
        this.module = module;
        this.policy = policy;
        Duration timeout = policy.timeout().orElse(null);
        this.engine = module.engine();
        this.policyLimits = new Limits(timeout, LimitSource.POLICY, policy.fuel().orElse(0), LimitSource.POLICY);
        this.errors = new Errors(module, variant.clones());
        this.variant = variant;
        this.metered = variant.metered();
        this.plain = !metered && timeout == null;
        this.hostCallFuel = policy.hostCallFuel();
        this.definedGlobals = variant.definedGlobals();
        this.maxCallDepth = policy.maxCallDepth();
        this.callDepthIndex = variant.fuelGlobal() + 2;
        this.fuelSlot = variant.fuelSlot();
    }

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

    void attach(Instance instance, List<Capability.Binding> bindings) {
        this.instance = instance;
        this.bindings = bindings;
        this.memory = module.memories().isEmpty() ? null : new ChicoryGuestMemory(instance.memory(), policy.maxGuestTransfer());
        errors.attach(instance);
    }

    /**
     * Globals, tables, data segments, the start function, {@code _initialize} and the
     * {@code initializer} (nullable), under the same guard as calls and the policy's
     * initialization limits.
     */
    void initialize(java.util.function.Consumer<? super Plugin> initializer) {
        initializing = true;
        plain = false; // every call of initialization goes through the guard, which applies its limits
        initDue = policy.initTimeout().isPresent() ? System.nanoTime() + policy.initTimeout().get().toNanos() : 0;
        initFuelLeft = policy.initFuel().orElse(0);
        try {
            guarded("(start)", policyLimits, () -> {
                instance.initialize(false);
                if (metered) {
                    fuel = instance.exports().global(FuelInstrumenter.FUEL_EXPORT);
                    callDepth = instance.global(callDepthIndex);
                    reserve = instance.global(callDepthIndex - 1);
                }
                return null;
            });
            // a WASI reactor (wasi-libc's -mexec-model=reactor, Rust cdylib on wasm32-wasi) must run
            // its constructors once before any other export; a command's _start does that itself
            var init = module.exportedFunction("_initialize");
            if (init.isPresent() && init.get().params().isEmpty() && init.get().results().isEmpty()) {
                var fn = instance.export("_initialize");
                guarded("_initialize", policyLimits, () -> fn.apply());
            }
            calls = 0; // the counters are about the host's calls; initialization's fuel stays billed
            if (initializer != null) {
                initializer.accept(this);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        } finally {
            initializing = false;
            plain = !metered && policyLimits.timeout == null;
            releaseQuietly();
        }
    }

    /**
     * The limits of an outermost call during initialization: the call's own where it has them,
     * else what is left of initialization's, else the policy's per-call ones.
     */
    private Limits initLimits(String export, Limits call) {
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
        return new Limits(t, tNanos, ts, f, fs);
    }

    // ---- Plugin ----

    @Override
    public String name() {
        return module.name();
    }

    @Override
    public PluginModule module() {
        return module;
    }

    @Override
    public Results call(String export, Object... args) {
        return function(export).call(args);
    }

    @Override
    public PluginFunction function(String export) {
        enter();
        Handle h = handles.get(export);
        if (h == null) {
            var sig = module.exportedFunction(export).orElseThrow(() -> new IllegalArgumentException(
                    "plugin '" + name() + "' exports no function '" + export + "'; it exports: " + exportedFunctionNames()));
            h = new Handle(export, sig, instance.export(export), meteredEntry(export), policyLimits);
            handles.put(export, h);
        }
        return h;
    }

    /** Where the host enters a metered export (see MeteredEntry), or null for the wrapper. */
    private MeteredEntry meteredEntry(String export) {
        if (!metered || module.usesGcTypes() || instance.getMachine() instanceof com.dylibso.chicory.runtime.InterpreterMachine) {
            return null; // (the interpreter keeps the argument array: no reused scratch there)
        }
        var wasm = variant.module();
        for (int i = 0; i < wasm.exportSection().exportCount(); i++) {
            var e = wasm.exportSection().getExport(i);
            if (e.name().equals(export) && e.exportType() == com.dylibso.chicory.wasm.types.ExternalType.FUNCTION) {
                return MeteredEntry.of(wasm, (int) e.index(), variant.clones(),
                        variant.facts() == null ? java.util.Set.of() : variant.facts().split().keySet());
            }
        }
        return null;
    }

    private String exportedFunctionNames() {
        var sb = new StringBuilder();
        for (var e : module.exports()) {
            if (e.signature() != null) {
                sb.append(sb.length() == 0 ? "" : ", ").append(e.name()).append(' ').append(e.signature());
            }
        }
        return sb.length() == 0 ? "(none)" : sb.toString();
    }

    @Override
    public int runMain() {
        var start = function("_start");
        try {
            start.callRaw();
            return 0;
        } catch (PluginExitException e) {
            return e.exitCode();
        }
    }

    @Override
    public long fuelConsumed() {
        if (!metered) {
            return 0;
        }
        return depth > 0 ? budget - fuel.getValue() : lastConsumed;
    }

    @Override
    public long fuelConsumedTotal() {
        if (!metered) {
            return 0;
        }
        return depth > 0 ? totalConsumed + budget - fuel.getValue() : totalConsumed;
    }

    @Override
    public long fuelRemaining() {
        requireMetered();
        return depth > 0 ? Math.max(0, fuel.getValue()) : saturatedAdd(policyLimits.fuel, pendingFuel);
    }

    @Override
    public void addFuel(long units) {
        requireMetered();
        if (units < 0) {
            throw new IllegalArgumentException("units must be >= 0, got " + units);
        }
        enter();
        if (depth > 0) {
            budget = saturatedAdd(budget, units);
            fuel.setValue(saturatedAdd(fuel.getValue(), units));
        } else {
            pendingFuel = saturatedAdd(pendingFuel, units);
        }
    }

    private void requireMetered() {
        if (!metered) {
            throw new IllegalStateException("plugin '" + name() + "' is not metered: set PluginPolicy.Builder.fuel");
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Charges a host call's cost; called by the host-call adapters before the host runs. */
    void chargeHostCall(String function) {
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

    @Override
    public int memoryPages() {
        return memory == null ? 0 : memory.pages();
    }

    @Override
    public void release() {
        Thread t = Thread.currentThread();
        Thread o = owner;
        if (o == null || o == CLOSED || o == IDLE) {
            return;
        }
        if (o != t) {
            throw new IllegalStateException("plugin '" + name() + "' is owned by thread '" + o.getName()
                    + "'; only that thread can release it");
        }
        if (depth > 0) {
            throw new IllegalStateException("plugin '" + name() + "' cannot be released from inside one of its own calls");
        }
        OWNER.setRelease(this, null);
    }

    private void releaseQuietly() {
        if (owner == Thread.currentThread() && depth == 0) {
            OWNER.setRelease(this, null);
        }
    }

    @Override
    public void close() {
        Thread t = Thread.currentThread();
        while (true) {
            Thread o = owner;
            if (o == CLOSED) {
                return;
            }
            if (o == t) {
                if (depth > 0) {
                    throw new IllegalStateException("plugin '" + name() + "' cannot be closed from inside one of its own calls");
                }
                OWNER.setVolatile(this, CLOSED);
                break;
            }
            if (o != null && o != IDLE) {
                throw new IllegalStateException("plugin '" + name() + "' is owned by thread '" + o.getName()
                        + "': close it there, or release() it there first");
            }
            if (o == IDLE) {
                if (OWNER.compareAndSet(this, IDLE, CLOSED)) {
                    break;
                }
                continue;
            }
            if (OWNER.compareAndSet(this, null, CLOSED)) {
                break;
            }
        }
        if (deadline != null) {
            deadline.retire();
        }
        module.usage().retire(this);
        for (var b : bindings) {
            b.close();
        }
    }

    @Override
    public <B extends Capability.Binding> java.util.Optional<B> binding(Class<B> type) {
        java.util.Objects.requireNonNull(type, "type");
        for (var b : bindings) {
            if (type.isInstance(b)) {
                return java.util.Optional.of(type.cast(b));
            }
        }
        return java.util.Optional.empty();
    }

    // ---- counters ----

    @Override
    public PluginStats stats() {
        return new PluginStats(calls, failedCalls, fuelBilled);
    }

    @Override
    public long calls() {
        return calls;
    }

    @Override
    public long failedCalls() {
        return failedCalls;
    }

    @Override
    public long fuelBilled() {
        return fuelBilled;
    }

    // ---- snapshots and pools ----

    @Override
    public PluginSnapshot snapshot() {
        return snapshotLike(null);
    }

    @Override
    public PluginSnapshot snapshotLike(PluginSnapshot like) {
        enter();
        requireBetweenCalls("snapshot");
        if (faulted) {
            throw new IllegalStateException("plugin '" + name() + "' failed in its last call, so its state is unknown: "
                    + "restore an earlier snapshot before taking a new one");
        }
        return InstanceSnapshot.take(this, instance, layout(), bindings, totalConsumed, lastConsumed, pendingFuel,
                like instanceof InstanceSnapshot && ((InstanceSnapshot) like).owner.module() == module
                        ? (InstanceSnapshot) like : null);
    }

    @Override
    public void restore(PluginSnapshot snapshot) {
        java.util.Objects.requireNonNull(snapshot, "snapshot");
        enter();
        requireBetweenCalls("restore");
        if (!(snapshot instanceof InstanceSnapshot) || ((InstanceSnapshot) snapshot).owner != this) {
            throw new IllegalArgumentException("snapshot " + snapshot + " was not taken from this plugin ('" + name()
                    + "'): a snapshot can only be restored on the plugin that took it");
        }
        var s = (InstanceSnapshot) snapshot;
        if (instance.getMachine() instanceof TrackingInterpreterMachine) {
            ((TrackingInterpreterMachine) instance.getMachine()).clearStacks(); // leftovers of a failed call
        }
        s.restoreInto(instance);
        totalConsumed = s.totalConsumed;
        lastConsumed = s.lastConsumed;
        pendingFuel = s.pendingFuel;
        faulted = false;
    }

    private InstanceSnapshot.Layout layout() {
        if (snapshotLayout == null) {
            if (module.usesGcTypes()) {
                throw new UnsupportedOperationException("plugin '" + name()
                        + "' uses wasm GC types, whose objects cannot be snapshotted yet");
            }
            snapshotLayout = new InstanceSnapshot.Layout(instance, module.memories().size());
        }
        return snapshotLayout;
    }

    private void requireBetweenCalls(String what) {
        if (depth > 0) {
            throw new IllegalStateException("plugin '" + name() + "' cannot " + what + " from inside one of its own calls");
        }
    }

    @Override
    public void park() {
        Thread t = Thread.currentThread();
        Thread o = owner;
        if (o == CLOSED) {
            throw new IllegalStateException("plugin '" + name() + "' is closed");
        }
        if (o != null && o != t && o != IDLE) {
            throw new IllegalStateException("plugin '" + name() + "' is owned by thread '" + o.getName()
                    + "'; only that thread can return it");
        }
        if (o == t) {
            requireBetweenCalls("be returned to its pool");
        }
        OWNER.setVolatile(this, IDLE);
    }

    @Override
    public void lend(Thread borrower) {
        while (true) {
            Thread o = owner;
            if (o == borrower) {
                return;
            }
            if (o != IDLE && o != null) {
                throw new IllegalStateException("plugin '" + name() + "' cannot be lent: it is "
                        + (o == CLOSED ? "closed" : "owned by thread '" + o.getName() + "'"));
            }
            if (OWNER.compareAndSet(this, o, borrower)) {
                return;
            }
        }
    }

    @Override
    public boolean faulted() {
        return faulted;
    }

    /** Tiered compilation made a compiled variant since this instance was made: a pool replaces it. */
    @Override
    public boolean superseded() {
        return !module.current(variant);
    }

    @Override
    public boolean isClosed() {
        return owner == CLOSED;
    }

    // ---- HostContext ----

    @Override
    public String pluginName() {
        return module.name();
    }

    @Override
    public GuestMemory memory() {
        if (memory == null) {
            throw new dev.corral.GuestMemoryException("plugin '" + name() + "' has no memory");
        }
        return memory;
    }

    @Override
    public long nanosLeft() {
        return deadline == null || depth == 0 ? Long.MAX_VALUE : deadline.nanosLeft();
    }

    @Override
    public void checkDeadline() {
        if (deadline != null && depth > 0 && deadline.nanosLeft() == 0) {
            throw new CallTimeoutException(timedExport, timedLimits.timeout, timedLimits.timeoutSource);
        }
    }

    // ---- the guard ----

    /**
     * The hot path is one plain read and a compare (closing parks the CLOSED sentinel in
     * {@code owner}). A plain read is enough: only thread T ever stores T, and only T can later
     * replace it (release, close), so T reading T is never stale; any other value sends the caller
     * to {@link #claim}, which reads and CASes with full ordering.
     */
    private void enter() {
        Thread t = Thread.currentThread();
        if (OWNER.get(this) != t) {
            claim(t);
        }
    }

    private void claim(Thread t) {
        while (true) {
            Thread o = owner;
            if (o == CLOSED) {
                throw new IllegalStateException("plugin '" + name() + "' is closed");
            }
            if (o == IDLE) {
                throw new IllegalStateException("plugin '" + name() + "' was returned to its pool: "
                        + "borrow it again instead of keeping a reference past the lease");
            }
            if (o == t) {
                return;
            }
            if (o != null) {
                throw new IllegalStateException("plugin '" + name() + "' is in use by thread '" + o.getName()
                        + "' and cannot be called from thread '" + t.getName()
                        + "': a plugin instance is not thread-safe. Use one instance per thread (or a pool), "
                        + "or call release() on the owning thread before handing it over");
            }
            if (OWNER.compareAndSet(this, null, t)) {
                return;
            }
        }
    }

    @FunctionalInterface
    private interface Body {
        long[] run();
    }

    /**
     * Every entry into the guest except the plain fast path in {@link Handle#callRaw}: an export
     * ({@code fn} with {@code args}, no lambda) or other work ({@code body}, e.g. initialization).
     * The outermost call runs under {@code limits} (the policy's, a view's own, or during
     * initialization what is left of initialization's); a re-entry under the outermost call's.
     */
    private long[] guarded(String export, Handle fn, long[] args, Body body, Limits limits) {
        enter();
        if (depth > 0) {
            return nested(export, fn, args, body); // re-entry: the outermost call meters, counts, records and limits
        }
        if (initializing) {
            limits = initLimits(export, limits);
        }
        calls++;
        if (Events.callsRecorded()) {
            return recorded(export, fn, args, body, limits);
        }
        try {
            return outermost(export, fn, args, body, limits);
        } catch (RuntimeException e) {
            failed(export, e);
            throw e;
        }
    }

    private long[] guarded(String export, Limits limits, Body body) {
        return guarded(export, null, null, body, limits);
    }

    /** {@link #guarded} with a JFR PluginCall event around it (out of line: rarely taken). */
    private long[] recorded(String export, Handle fn, long[] args, Body body, Limits limits) {
        var event = new PluginCallEvent();
        event.begin();
        String outcome = "ok";
        try {
            return outermost(export, fn, args, body, limits);
        } catch (RuntimeException e) {
            outcome = failed(export, e);
            throw e;
        } finally {
            Events.commit(event, module.name(), export, metered ? lastConsumed : 0, outcome);
        }
    }

    /** An outermost call failed: count it, and tell JFR about a failing host function. */
    private String failed(String export, RuntimeException e) {
        failedCalls++;
        return Events.failed(module.name(), export, e);
    }

    private static long[] run(Handle fn, long[] args, Body body) {
        return fn != null ? fn.fn.apply(args) : body.run();
    }

    /** A guest→host→guest re-entry: runs under the outermost call's deadline and budget. */
    private long[] nested(String export, Handle fn, long[] args, Body body) {
        depth++;
        try {
            return run(fn, args, body);
        } catch (RuntimeException | Error e) {
            faulted = true;
            throw errors.map(e, export);
        } finally {
            depth--;
        }
    }

    /**
     * The outermost call: a fresh budget in (when metered), the deadline armed (when
     * {@code limits} have a timeout), consumption out, failures mapped. One straight path with no
     * allocation, lambda or clock read: what a sandboxed call costs over a plain one is a few
     * plain stores, the deadline's one CAS and the fuel read-back (benchmarks/README.md,
     * "Sandbox cost per call"). Everything unusual happens out of line in {@link #outcome}.
     */
    private long[] outermost(String export, Handle fn, long[] args, Body body, Limits limits) {
        // kept under HotSpot's inlining limit (325 bytes of bytecode): every step but the call is
        // a small method, and anything unusual is out of line
        if (metered && engine.closed()) {
            engine.checkOpen("call a metered plugin");
        }
        long token = limits.timeoutNanos > 0 ? arm(export, limits) : 0;
        if (metered) {
            startMetered(limits);
        }
        long[] out = null;
        Throwable failure = null;
        depth = 1;
        try {
            out = fn != null ? fn.enter(args) : body.run();
        } catch (Throwable e) {
            failure = e;
        }
        depth = 0;
        boolean fired = token != 0 && deadline.disarm(token);
        if (metered) {
            finishMetered(limits);
        }
        if (failure != null || fired) {
            return outcome(export, out, failure, fired, limits);
        }
        return out;
    }

    /** Arms the deadline for the outermost call; its token (never 0). */
    private long arm(String export, Limits limits) {
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

    /** The outermost call's budget: the call's fuel plus any top-up, into the fuel global. */
    private void startMetered(Limits limits) {
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

    private void finishMetered(Limits limits) {
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

    /**
     * An outermost call that failed or whose deadline fired: take the watchdog's interrupt back,
     * then name what happened (timeout, engine closed, fuel, call depth, or the mapped failure).
     */
    private long[] outcome(String export, long[] out, Throwable failure, boolean fired, Limits limits) {
        RuntimeException mapped = null;
        if (failure != null) {
            faulted = true;
            mapped = errors.map(failure, export);
        }
        if (fired) {
            // the watchdog interrupted us: take that interrupt back so the thread's status is
            // what the caller had
            Thread.interrupted();
            if (callerInterrupted) {
                Thread.currentThread().interrupt();
            }
            if (mapped == null) {
                return out; // finished just as the deadline passed: the result is good
            }
            if (engine.closed() && !(mapped instanceof CallTimeoutException)) {
                throw new dev.corral.CallInterruptedException(export, "the Corral engine was closed");
            }
            throw new CallTimeoutException(export, limits.timeout, limits.timeoutSource);
        }
        if (metered && mapped instanceof TrapException) {
            // only the instrumentation's check traps with the global below zero
            if (fuel != null && fuel.getValue() < 0) {
                throw new FuelExhaustedException(name(), export, budget - fuel.getValue(), budget, limits.fuelSource, mapped);
            }
            if (callDepth != null && callDepth.getValue() == CallDepth.EXCEEDED) {
                throw new StackExhaustedException(export, maxCallDepth);
            }
        }
        throw mapped;
    }

    /**
     * The limits an outermost call runs under: the policy's (one object per plugin), a view's own
     * (one per {@link PluginFunction#withTimeout}/{@code withFuel} view), or, during
     * initialization, what is left of initialization's. Immutable: a call allocates none.
     */
    static final class Limits {
        final Duration timeout; // null: no deadline
        final long timeoutNanos; // what the deadline is armed with
        final LimitSource timeoutSource;
        final long fuel; // per-call budget, when metered
        final LimitSource fuelSource;

        Limits(Duration timeout, LimitSource timeoutSource, long fuel, LimitSource fuelSource) {
            this(timeout, timeout == null ? 0 : timeout.toNanos(), timeoutSource, fuel, fuelSource);
        }

        Limits(Duration timeout, long timeoutNanos, LimitSource timeoutSource, long fuel, LimitSource fuelSource) {
            this.timeout = timeout;
            this.timeoutNanos = timeoutNanos;
            this.timeoutSource = timeoutSource;
            this.fuel = fuel;
            this.fuelSource = fuelSource;
        }
    }

    /** A resolved export. Shares the plugin's guard. */
    private class Handle implements PluginFunction {
        final String name;
        final FunctionSignature signature;
        final ExportFunction fn;
        private final ValueType[] params;
        private final int paramCount;
        /** A metered export's way into its fuel-passing clone, or null: then the wrapper. */
        private final MeteredEntry entry;
        private final long[] scratch;
        private final com.dylibso.chicory.runtime.Machine machine;
        private final long[] outermostArgs;
        final Limits limits;

        Handle(String name, FunctionSignature signature, ExportFunction fn, MeteredEntry entry, Limits limits) {
            this.name = name;
            this.signature = signature;
            this.fn = fn;
            this.params = signature.params().toArray(new ValueType[0]);
            this.paramCount = params.length;
            this.entry = entry;
            this.scratch = entry == null ? null : entry.scratch();
            this.machine = instance.getMachine();
            this.outermostArgs = new long[paramCount];
            this.limits = limits;
        }

        @Override
        public PluginFunction withTimeout(Duration timeout) {
            java.util.Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            return new LimitedHandle(this, new Limits(timeout, LimitSource.CALL, limits.fuel, limits.fuelSource));
        }

        @Override
        public PluginFunction withFuel(long units) {
            if (units <= 0) {
                throw new IllegalArgumentException("fuel must be > 0, got " + units);
            }
            if (!metered) {
                throw new IllegalStateException("plugin '" + ChicoryPlugin.this.name() + "' is not metered, so '" + name
                        + "' cannot take fuel of its own: its policy sets no fuel, and an unmetered plugin runs code "
                        + "that cannot count (metering is chosen when the plugin is instantiated). Set "
                        + "PluginPolicy.Builder.fuel(n) on the policy; withFuel then replaces n for this export's calls");
            }
            return new LimitedHandle(this, new Limits(limits.timeout, limits.timeoutNanos, limits.timeoutSource, units,
                    LimitSource.CALL));
        }

        /** The outermost call's entry into the guest: a metered export straight into its clone. */
        long[] enter(long[] args) {
            if (entry != null && fuel != null) {
                long[] out = entry.call(machine, args, scratch, budget, maxCallDepth, fuel, reserve);
                if (out != MeteredEntry.UNPAID) {
                    return out;
                }
            }
            return fn.apply(args);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public FunctionSignature signature() {
            return signature;
        }

        @Override
        public long[] callRaw(long... args) {
            if (plain && args.length == paramCount && OWNER.get(ChicoryPlugin.this) == Thread.currentThread()
                    && !Events.callsRecorded()) {
                // the hot path, kept small and flat so the JIT inlines it, and Chicory's call into
                // it, whole (then even the varargs array is scalar-replaced): no lambda, no fuel or
                // deadline branches (benchmarks/README.md: trivial-call overhead). A JFR recording
                // of plugin calls takes the guarded path; without JFR the test is one volatile read.
                long[] out;
                int d = depth;
                depth = d + 1;
                try {
                    out = fn.apply(args);
                } catch (RuntimeException | Error e) {
                    throw fastPathFailure(e, d); // out of line: keeps this method small enough to inline
                } finally {
                    depth = d;
                }
                if (d == 0) {
                    calls++;
                }
                return out == null ? NO_RESULTS : out; // Chicory returns null for no results
            }
            return callRawGuarded(args);
        }

        private RuntimeException fastPathFailure(Throwable e, int depthBefore) {
            faulted = true;
            RuntimeException mapped = errors.map(e, name);
            if (depthBefore == 0) {
                calls++;
                failed(name, mapped);
            }
            return mapped;
        }

        final long[] callRawGuarded(long[] args) {
            if (args.length != paramCount) {
                throw new IllegalArgumentException("'" + name + "' takes " + paramCount + " arguments " + signature
                        + ", got " + args.length);
            }
            long[] out;
            if (depth == 0 && !initializing && OWNER.get(ChicoryPlugin.this) == Thread.currentThread()
                    && !Events.callsRecorded()) {
                // a sandboxed outermost call by its owner without a JFR recording: guarded()'s
                // work without its re-checks. outermost() is too big to be inlined into the
                // caller, so the arguments are copied into an array of this handle's (a copy of
                // constant length, which the JIT turns into moves): the caller's varargs array
                // does not escape and is not allocated, as on the plain path. Only outermost
                // calls use it; a re-entry runs with its own array.
                long[] own = outermostArgs;
                System.arraycopy(args, 0, own, 0, args.length);
                calls++;
                try {
                    out = outermost(name, this, own, null, limits);
                } catch (RuntimeException e) {
                    failed(name, e);
                    throw e;
                }
            } else {
                out = guarded(name, this, args, null, limits);
            }
            return out == null ? NO_RESULTS : out;
        }

        @Override
        public Results call(Object... args) {
            if (args == null) {
                args = new Object[] {null};
            }
            if (args.length != paramCount) {
                throw new IllegalArgumentException("'" + name + "' takes " + paramCount + " arguments " + signature
                        + ", got " + args.length);
            }
            long[] raw = new long[paramCount];
            for (int i = 0; i < paramCount; i++) {
                raw[i] = toRaw(i, params[i], args[i]);
            }
            long[] out = guarded(name, this, raw, null, limits);
            return new Results(signature.results(), out);
        }

        private long toRaw(int i, ValueType t, Object v) {
            if (!(v instanceof Number)) {
                throw new IllegalArgumentException("argument " + i + " of '" + name + "' must be a number of type "
                        + t.watName() + ", got " + (v == null ? "null" : v.getClass().getSimpleName()));
            }
            Number n = (Number) v;
            boolean integral = v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte;
            switch (t) {
                case I32:
                    if (!integral || (v instanceof Long && (long) v != (int) (long) v)) {
                        throw new IllegalArgumentException("argument " + i + " of '" + name + "' must be an i32 (Integer), got " + v);
                    }
                    return n.intValue();
                case I64:
                    if (!integral) {
                        throw new IllegalArgumentException("argument " + i + " of '" + name + "' must be an i64 (Long), got " + v);
                    }
                    return n.longValue();
                case F32:
                    return Float.floatToRawIntBits(n.floatValue());
                case F64:
                    return Double.doubleToRawLongBits(n.doubleValue());
                default:
                    throw new IllegalArgumentException("argument " + i + " of '" + name + "' has type " + t.watName()
                            + ", which cannot be passed from Java");
            }
        }
    }

    /**
     * A view of an export with limits of its own ({@link PluginFunction#withTimeout}, {@code withFuel}).
     * Its calls always take the guard: the fast path of {@link Handle#callRaw} is for calls
     * without limits, and stays as it was.
     */
    private final class LimitedHandle extends Handle {
        LimitedHandle(Handle of, Limits limits) {
            super(of.name, of.signature, of.fn, of.entry, limits);
        }

        @Override
        public long[] callRaw(long... args) {
            return callRawGuarded(args);
        }
    }

    PluginPolicy policy() {
        return policy;
    }
}
