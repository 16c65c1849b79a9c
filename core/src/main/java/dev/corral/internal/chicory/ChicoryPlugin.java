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
 *
 * <p>Its exports are {@link ExportHandle}s, which hold the plain fast path (the fields that path
 * touches are package-private for it), and a call's limits are {@link CallLimits}.
 */
final class ChicoryPlugin implements ManagedPlugin, HostContext, Usage.Counted {
    static final VarHandle OWNER;
    static final long[] NO_RESULTS = new long[0];
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
    private CallLimits timedLimits; // the limits of that call, for messages
    /** The policy's limits, carried by every handle without limits of its own. */
    private final CallLimits policyLimits;
    private boolean callerInterrupted; // the caller's interrupt status when the deadline was armed
    /** Memory 0, whose stop word stops timed calls in stop mode (see StopChecks); null: every timed call is interrupted. */
    private FlatMemory stopWord;
    final Errors errors;
    private final ModuleVariant variant;
    Instance instance;
    private List<Capability.Binding> bindings = List.of();
    private GuestMemory memory;
    private final Map<String, ExportHandle> handles = new HashMap<>();

    @SuppressWarnings("unused") // accessed through OWNER
    private volatile Thread owner;
    int depth;
    /** A call ended with an exception since the last restore: the state may be anything. */
    boolean faulted;
    private InstanceSnapshot.Layout snapshotLayout;
    // ---- counters (plain fields: only the owner writes them; Usage sums them for the module and engine) ----
    long calls;
    private long failedCalls;
    private long fuelBilled;

    // ---- fuel (all unused when unmetered) ----
    final boolean metered;
    /**
     * No fuel, no deadline: a call needs only the ownership test and error mapping. Cleared while
     * initializing under initialization limits, so that every call takes the guard.
     */
    boolean plain;
    private final long hostCallFuel;
    private final int definedGlobals;
    private final int fuelSlot;
    GlobalInstance fuel;
    GlobalInstance reserve; // the fuel the running function's local does not hold (see MeteredEntry)
    /** The metered variant's call-depth global (see CallDepth), reset to maxCallDepth by each outermost call. */
    private GlobalInstance callDepth;
    final int maxCallDepth;
    private final int callDepthIndex;
    private int globalsCreated;
    long budget; // of the running or last outermost call
    private LimitSource budgetSource = LimitSource.POLICY; // whose budget that is, for messages

    // ---- initialization (start function, _initialize, the initializer): one budget of its own ----
    boolean initializing;
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
        this.policyLimits = new CallLimits(timeout, LimitSource.POLICY, policy.fuel().orElse(0), LimitSource.POLICY);
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
        if (!module.memories().isEmpty() && instance.memory() instanceof FlatMemory
                && !(instance.getMachine() instanceof com.dylibso.chicory.runtime.InterpreterMachine)) {
            stopWord = (FlatMemory) instance.memory();
        }
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
    private CallLimits initLimits(String export, CallLimits call) {
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
        ExportHandle h = handles.get(export);
        if (h == null) {
            var sig = module.exportedFunction(export).orElseThrow(() -> new IllegalArgumentException(
                    "plugin '" + name() + "' exports no function '" + export + "'; it exports: " + exportedFunctionNames()));
            h = new ExportHandle(this, export, sig, instance.export(export), meteredEntry(export), stoppable(export),
                    policyLimits);
            handles.put(export, h);
        }
        return h;
    }

    /**
     * Whether a timed call of {@code export} can be stopped through the stop word rather than an
     * interrupt: its code is compiled with StopChecks' checks and can neither reach the host, where
     * a blocked host function would only notice an interrupt, nor recurse (see InterruptOnly).
     */
    private boolean stoppable(String export) {
        if (stopWord == null) {
            return false;
        }
        var wasm = variant.module();
        for (int i = 0; i < wasm.exportSection().exportCount(); i++) {
            var e = wasm.exportSection().getExport(i);
            if (e.name().equals(export) && e.exportType() == com.dylibso.chicory.wasm.types.ExternalType.FUNCTION) {
                return VariantCompiler.stoppable(variant.facts(), (int) e.index());
            }
        }
        return false;
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
    interface Body {
        long[] run();
    }

    /**
     * Every entry into the guest except the plain fast path in {@link ExportHandle#callRaw}: an export
     * ({@code fn} with {@code args}, no lambda) or other work ({@code body}, e.g. initialization).
     * The outermost call runs under {@code limits} (the policy's, a view's own, or during
     * initialization what is left of initialization's); a re-entry under the outermost call's.
     */
    long[] guarded(String export, ExportHandle fn, long[] args, Body body, CallLimits limits) {
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

    private long[] guarded(String export, CallLimits limits, Body body) {
        return guarded(export, null, null, body, limits);
    }

    /** {@link #guarded} with a JFR PluginCall event around it (out of line: rarely taken). */
    private long[] recorded(String export, ExportHandle fn, long[] args, Body body, CallLimits limits) {
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
    String failed(String export, RuntimeException e) {
        failedCalls++;
        return Events.failed(module.name(), export, e);
    }

    private static long[] run(ExportHandle fn, long[] args, Body body) {
        return fn != null ? fn.fn.apply(args) : body.run();
    }

    /** A guest→host→guest re-entry: runs under the outermost call's deadline and budget. */
    private long[] nested(String export, ExportHandle fn, long[] args, Body body) {
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
    long[] outermost(String export, ExportHandle fn, long[] args, Body body, CallLimits limits) {
        // kept under HotSpot's inlining limit (325 bytes of bytecode): every step but the call is
        // a small method, and anything unusual is out of line
        if (metered && engine.closed()) {
            engine.checkOpen("call a metered plugin");
        }
        long token = 0;
        if (limits.timeoutNanos > 0) {
            token = fn != null && fn.stoppable ? armStop(limits) : arm(export, limits);
        }
        if (metered) {
            startMetered(limits, fn == null || !fn.viaEntry);
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
        boolean fired = token != 0 && disarm(token);
        if (metered) {
            finishMetered(limits);
        }
        if (failure != null || fired) {
            return outcome(export, out, failure, fired, token, limits);
        }
        return out;
    }

    /** Ends the outermost call's deadline; whether it fired. */
    private boolean disarm(long token) {
        return (token & Deadline.STOP_MODE) != 0 ? stopWord.disarmStop() : deadline.disarm(token);
    }

    /**
     * Arms the deadline of an outermost call that the watchdog stops through the stop word: a
     * counter, a plain store and a release store, where an interrupted call also pays a CAS to
     * disarm and reads and restores the thread's interrupt status. No export or limits are kept
     * for messages: such a call cannot reach a host function, the only one to ask.
     */
    private long armStop(CallLimits limits) {
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
    private long arm(String export, CallLimits limits) {
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
    private void startMetered(CallLimits limits, boolean wrapper) {
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
    void resetCallDepth() {
        callDepth.setValue(maxCallDepth);
    }

    private void finishMetered(CallLimits limits) {
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
    private long[] outcome(String export, long[] out, Throwable failure, boolean fired, long token, CallLimits limits) {
        RuntimeException mapped = null;
        if (failure != null) {
            faulted = true;
            mapped = errors.map(failure, export);
        }
        if (fired) {
            if ((token & Deadline.STOP_MODE) == 0) {
                // the watchdog interrupted us: take that interrupt back so the thread's status is
                // what the caller had
                Thread.interrupted();
                if (callerInterrupted) {
                    Thread.currentThread().interrupt();
                }
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
                resetCallDepth();
                throw new StackExhaustedException(export, maxCallDepth);
            }
        }
        throw mapped;
    }

    PluginPolicy policy() {
        return policy;
    }
}
