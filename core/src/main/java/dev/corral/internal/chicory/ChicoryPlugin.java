package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.Instance;
import dev.corral.CallTimeoutException;
import dev.corral.FuelExhaustedException;
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
import dev.corral.spi.Capability;
import dev.corral.internal.Deadline;
import dev.corral.internal.ManagedPlugin;
import dev.corral.internal.Usage;
import dev.corral.internal.events.Events;
import dev.corral.internal.events.PluginCallEvent;
import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p>Fuel and the deadline: {@link CallMeter}, this class's superclass (one object, so the hot
 * path reads their fields with no extra load).
 *
 * <p>Its exports are {@link ExportHandle}s, which hold the plain fast path (the fields that path
 * touches are package-private for it), and a call's limits are {@link CallLimits}.
 */
final class ChicoryPlugin extends CallMeter implements ManagedPlugin, HostContext, Usage.Counted {
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
    final Errors errors;
    private final ModuleVariant variant;
    Instance instance;
    private List<Capability.Binding> bindings = List.of();
    private GuestMemory memory;
    private final Map<String, ExportHandle> handles = new HashMap<>();

    @SuppressWarnings("unused") // accessed through OWNER
    private volatile Thread owner;
    /** A call ended with an exception since the last restore: the state may be anything. */
    boolean faulted;
    private InstanceSnapshot.Layout snapshotLayout;
    // ---- counters (plain fields: only the owner writes them; Usage sums them for the module and engine) ----
    long calls;
    private long failedCalls;

    /**
     * No fuel, no deadline: a call needs only the ownership test and error mapping. Cleared while
     * initializing under initialization limits, so that every call takes the guard.
     */
    boolean plain;
    /** Running the start function, _initialize or the initializer: under initialization's budget (see CallMeter). */
    boolean initializing;

    ChicoryPlugin(ChicoryModule module, PluginPolicy policy, ModuleVariant variant) {
        super(module.engine(), policy, variant);
        this.module = module;
        this.errors = new Errors(module, variant.clones());
        this.variant = variant;
        this.plain = !metered && policyLimits.timeout == null;
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
