package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.corral.FunctionSignature;
import dev.corral.LimitSource;
import dev.corral.PluginFunction;
import dev.corral.Results;
import dev.corral.ValueType;
import dev.corral.internal.events.Events;
import java.time.Duration;

/**
 * A resolved export of a {@link ChicoryPlugin}: the {@link PluginFunction} the host calls. The
 * plain fast path is here, small enough for the JIT to inline into the caller; every other call
 * goes through the plugin's guard.
 */
class ExportHandle implements PluginFunction {
    final ChicoryPlugin plugin;
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
    final CallLimits limits;
    /** A timed call is stopped through the plugin's stop word, not an interrupt (see CallMeter.armStop). */
    final boolean stoppable;
    /** Outermost calls enter the clone through MeteredEntry (unless the fuel cannot pay its entry block). */
    final boolean viaEntry;

    ExportHandle(ChicoryPlugin plugin, String name, FunctionSignature signature, ExportFunction fn, MeteredEntry entry,
            boolean stoppable, CallLimits limits) {
        this.plugin = plugin;
        this.name = name;
        this.signature = signature;
        this.fn = fn;
        this.params = signature.params().toArray(new ValueType[0]);
        this.paramCount = params.length;
        this.entry = entry;
        this.scratch = entry == null ? null : entry.scratch();
        this.machine = plugin.instance.getMachine();
        this.outermostArgs = new long[paramCount];
        this.limits = limits;
        this.stoppable = stoppable;
        this.viaEntry = entry != null;
    }

    @Override
    public PluginFunction withTimeout(Duration timeout) {
        java.util.Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return new Limited(this, new CallLimits(timeout, LimitSource.CALL, limits.fuel, limits.fuelSource));
    }

    @Override
    public PluginFunction withFuel(long units) {
        if (units <= 0) {
            throw new IllegalArgumentException("fuel must be > 0, got " + units);
        }
        if (!plugin.metered) {
            throw new IllegalStateException("plugin '" + plugin.name() + "' is not metered, so '" + name
                    + "' cannot take fuel of its own: its policy sets no fuel, and an unmetered plugin runs code "
                    + "that cannot count (metering is chosen when the plugin is instantiated). Set "
                    + "PluginPolicy.Builder.fuel(n) on the policy; withFuel then replaces n for this export's calls");
        }
        return new Limited(this, new CallLimits(limits.timeout, limits.timeoutNanos, limits.timeoutSource, units,
                LimitSource.CALL));
    }

    /** The outermost call's entry into the guest: a metered export straight into its clone. */
    long[] enter(long[] args) {
        if (entry != null && plugin.fuel != null) {
            long[] out = entry.call(machine, args, scratch, plugin.budget, plugin.maxCallDepth, plugin.fuel, plugin.reserve);
            if (out != MeteredEntry.UNPAID) {
                return out;
            }
        }
        if (entry != null && plugin.fuel != null) {
            plugin.resetCallDepth(); // the wrapper reads it (see CallMeter.startMetered)
        }
        // the outermost call's arguments may sit in the clone's scratch (see callRawGuarded)
        return fn.apply(args.length == paramCount ? args : java.util.Arrays.copyOf(args, paramCount));
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
        if (plugin.plain && args.length == paramCount && ChicoryPlugin.OWNER.get(plugin) == Thread.currentThread()
                && !Events.callsRecorded()) {
            // the hot path, kept small and flat so the JIT inlines it, and Chicory's call into
            // it, whole (then even the varargs array is scalar-replaced): no lambda, no fuel or
            // deadline branches (benchmarks/README.md: trivial-call overhead). A JFR recording
            // of plugin calls takes the guarded path; without JFR the test is one volatile read.
            long[] out;
            int d = plugin.depth;
            plugin.depth = d + 1;
            try {
                out = fn.apply(args);
            } catch (RuntimeException | Error e) {
                throw fastPathFailure(e, d); // out of line: keeps this method small enough to inline
            } finally {
                plugin.depth = d;
            }
            if (d == 0) {
                plugin.calls++;
            }
            return out == null ? ChicoryPlugin.NO_RESULTS : out; // Chicory returns null for no results
        }
        return callRawGuarded(args);
    }

    private RuntimeException fastPathFailure(Throwable e, int depthBefore) {
        plugin.faulted = true;
        RuntimeException mapped = plugin.errors.map(e, name);
        if (depthBefore == 0) {
            plugin.calls++;
            plugin.failed(name, mapped);
        }
        return mapped;
    }

    final long[] callRawGuarded(long[] args) {
        if (args.length != paramCount) {
            throw new IllegalArgumentException("'" + name + "' takes " + paramCount + " arguments " + signature
                    + ", got " + args.length);
        }
        long[] out;
        if (plugin.depth == 0 && !plugin.initializing && ChicoryPlugin.OWNER.get(plugin) == Thread.currentThread()
                && !Events.callsRecorded()) {
            // a sandboxed outermost call by its owner without a JFR recording: guarded()'s
            // work without its re-checks. outermost() is too big to be inlined into the
            // caller, so the arguments are copied into an array of this handle's (a copy of
            // constant length, which the JIT turns into moves): the caller's varargs array
            // does not escape and is not allocated, as on the plain path. Only outermost
            // calls use it; a re-entry runs with its own array.
            // a metered export's clone takes two more arguments (fuel and depth): its scratch
            // array, filled here, saves MeteredEntry a copy whose length the JIT cannot see
            long[] own = scratch != null ? scratch : outermostArgs;
            System.arraycopy(args, 0, own, 0, args.length);
            plugin.calls++;
            try {
                out = plugin.outermost(name, this, own, null, limits);
            } catch (RuntimeException e) {
                plugin.failed(name, e);
                throw e;
            }
        } else {
            out = plugin.guarded(name, this, args, null, limits);
        }
        return out == null ? ChicoryPlugin.NO_RESULTS : out;
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
        long[] out = plugin.guarded(name, this, raw, null, limits);
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

    /**
     * A view of an export with limits of its own ({@link PluginFunction#withTimeout}, {@code withFuel}).
     * Its calls always take the guard: the fast path of {@link #callRaw} is for calls
     * without limits, and stays as it was.
     */
    static final class Limited extends ExportHandle {
        Limited(ExportHandle of, CallLimits limits) {
            super(of.plugin, of.name, of.signature, of.fn, of.entry, of.stoppable, limits);
        }

        @Override
        public long[] callRaw(long... args) {
            return callRawGuarded(args);
        }
    }
}
