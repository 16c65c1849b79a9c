package dev.corral.js.internal;

import dev.corral.CallTimeoutException;
import dev.corral.CorralException;
import dev.corral.FuelExhaustedException;
import dev.corral.LimitSource;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginFunction;
import dev.corral.PluginPolicy;
import dev.corral.PluginSnapshot;
import dev.corral.js.JsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * One QuickJS instance running one script: start-up, calls, value conversion, and the way back
 * after a failed call. The public face is {@code dev.corral.js.JsPlugin}.
 *
 * <p>Failures come in two kinds. A JavaScript exception unwinds the engine cleanly: the state is
 * consistent and the exception reaches the host as {@link JsException}. Anything that stops the
 * wasm code itself (fuel, deadline, a trap, the JVM stack) leaves the engine mid-operation, so
 * the instance is restored to the snapshot taken right after start-up before the exception
 * propagates.
 */
public final class JsRuntime implements AutoCloseable {
    private static final String PRELUDE = resource("prelude.js");

    /** Everything a plugin is built from. */
    public record Config(String name, String fileName, String script, PluginPolicy policy, long initFuel, long memoryLimit,
            int stackLimit, List<Exposed> exposed, BiConsumer<Level, String> console, Long seed, boolean restoreAfterFailure) {}

    private final String name;
    private final Plugin plugin;
    private final QuickJs q;
    private final long callFuel;
    private final Duration timeout;
    private int global;
    private int parseFn;
    private int encodeFn;
    private int describeFn;
    private PluginSnapshot initial;
    /** What the plugin is doing, for messages: the function called, "eval", or null during start-up. */
    private String current;
    private boolean restoreAfterFailure = true;
    /** A call stopped the engine and nothing was restored yet: only restore() may follow. */
    private boolean broken;

    private JsRuntime(String name, Plugin plugin, QuickJs q, PluginPolicy policy) {
        this.name = name;
        this.plugin = plugin;
        this.q = q;
        this.callFuel = policy.fuel().orElse(-1);
        this.timeout = policy.timeout().orElse(null);
    }

    /**
     * Instantiates QuickJS, runs its start-up, the prelude and the script's top-level code, then
     * snapshots. Start-up is the instance's initialization in core's sense: it runs under the
     * policy's initialization limits ({@code initTimeout}, {@code initFuel}; the latter defaults to
     * {@link Config#initFuel()} for a metered policy that sets none), one budget for all of it.
     */
    public static JsRuntime start(PluginModule quickjs, Config c) {
        var bridge = new Bridge(c.name(), c.exposed(), c.console());
        var b = c.policy().toBuilder().hostModule(bridge.module());
        if (c.policy().maxCallDepth() == PluginPolicy.DEFAULT_MAX_CALL_DEPTH) {
            // QuickJS's own stackLimit stops JavaScript recursion with a catchable RangeError; every
            // JavaScript frame is several wasm frames of its interpreter, so core's default depth
            // limit for metered plugins (500) would end a metered script's recursion first. The
            // JVM stack stays the bound beyond it (see "Stack" in the README).
            b.maxCallDepth(Integer.MAX_VALUE);
        }
        if (c.policy().fuel().isPresent() && (c.initFuel() > 0 || c.policy().initFuel().isEmpty())) {
            // the builder's initFuel, or its default when the policy sets none
            b.initFuel(c.initFuel() > 0 ? c.initFuel() : dev.corral.js.JsPlugin.DEFAULT_INIT_FUEL);
        }
        PluginPolicy policy = b.build();
        var started = new JsRuntime[1];
        Plugin plugin;
        try {
            plugin = quickjs.instantiate(policy, p -> {
                var q = new QuickJs(p);
                bridge.attach(q);
                started[0] = new JsRuntime(c.name(), p, q, policy);
                started[0].restoreAfterFailure = c.restoreAfterFailure();
                started[0].start(bridge, c);
            });
        } catch (JsException e) {
            throw e;
        } catch (CorralException e) {
            throw started[0] != null ? started[0].renamed(e) : e;
        }
        try {
            started[0].initial = plugin.snapshot();
        } catch (RuntimeException | Error e) {
            plugin.close();
            throw e;
        }
        return started[0];
    }

    private void start(Bridge bridge, Config c) {
        int r = (int) q.init.callRaw()[0];
        if (r != 0) {
            throw new CorralException("QuickJS failed to start (qjs_init returned " + r + ")");
        }
        q.setMemoryLimit.callRaw((int) Math.min(c.memoryLimit(), 0xFFFF_FFFFL));
        q.setMaxStackSize.callRaw(c.stackLimit());
        q.allocateScratch();
        global = (int) q.getGlobal.callRaw()[0];

        // the raw host functions, in one array for the prelude
        List<String> names = bridge.rawNames();
        int raw = (int) q.newArray.callRaw()[0];
        for (int i = 0; i < names.size(); i++) {
            byte[] n = names.get(i).getBytes(StandardCharsets.UTF_8);
            int np = q.cString(n);
            int fn = (int) q.newHostFunction.callRaw(np, n.length, bridge.arity(names.get(i)))[0];
            q.free(np);
            q.setPropUint32.callRaw(raw, i, fn);
            q.freeValue(fn);
        }
        int prelude = evalRaw(PRELUDE, "corral-prelude.js");
        if (q.isException(prelude)) {
            q.freeValue(prelude);
            throw new IllegalStateException("corral-js prelude failed: " + pendingException().getMessage());
        }
        long seed = c.seed() == null ? 0 : c.seed();
        int spec = q.newString(bridge.spec());
        int seeded = q.newBoolean(c.seed() != null);
        int[] words = new int[4];
        for (int i = 0; i < 4; i++) {
            seed += 0x9E3779B97F4A7C15L; // SplitMix64: four well-mixed words from one seed
            long z = seed;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            words[i] = q.newNumber((int) (z ^ (z >>> 31)));
        }
        int helpers = q.call(prelude, q.undefinedHandle(), raw, spec, seeded, words[0], words[1], words[2], words[3]);
        if (q.isException(helpers)) {
            q.freeValue(helpers);
            throw new IllegalStateException("corral-js prelude failed: " + pendingException().getMessage());
        }
        for (int v : new int[] {prelude, raw, spec, seeded, words[0], words[1], words[2], words[3]}) {
            q.freeValue(v);
        }
        parseFn = (int) q.getPropUint32.callRaw(helpers, 0)[0];
        encodeFn = (int) q.getPropUint32.callRaw(helpers, 1)[0];
        describeFn = (int) q.getPropUint32.callRaw(helpers, 2)[0];
        int typeError = (int) q.getPropUint32.callRaw(helpers, 3)[0];
        int error = (int) q.getPropUint32.callRaw(helpers, 4)[0];
        int show = (int) q.getPropUint32.callRaw(helpers, 5)[0];
        q.freeValue(helpers);
        bridge.helpers(typeError, error, show);

        int result = evalRaw(c.script(), c.fileName());
        if (q.isException(result)) {
            q.freeValue(result);
            throw pendingException();
        }
        q.freeValue(result);
    }

    public String name() {
        return name;
    }

    public Plugin plugin() {
        return plugin;
    }

    /** The state right after start-up; restored after every call that stopped the engine itself. */
    public PluginSnapshot initial() {
        return initial;
    }

    // ---- calls ----

    public Object call(String function, Object[] args) {
        return call(function, args, 0, null);
    }

    /**
     * A call; {@code fuel} > 0 gives its main step and its promise jobs at least that budget
     * instead of the per-call one (when metered), a non-null {@code timeout} that deadline.
     */
    public Object call(String function, Object[] args, long fuel, Duration timeout) {
        Objects.requireNonNull(function, "function");
        Object[] prepared = prepare(args);
        PluginFunction main = q.call;
        PluginFunction jobs = q.executePendingJob;
        long jobFuel = callFuel;
        Duration jobTimeout = this.timeout;
        if (fuel > callFuel && callFuel > 0) { // at least: never less than a regular call
            main = main.withFuel(fuel);
            jobs = jobs.withFuel(fuel);
            jobFuel = fuel;
        }
        if (timeout != null) {
            main = main.withTimeout(timeout);
            jobs = jobs.withTimeout(timeout);
            jobTimeout = timeout;
        }
        final PluginFunction via = main;
        final PluginFunction viaJobs = jobs;
        final long jf = jobFuel;
        final Duration jt = jobTimeout;
        final LimitSource jfs = jobFuel != callFuel ? LimitSource.CALL : LimitSource.POLICY;
        final LimitSource jts = timeout != null ? LimitSource.CALL : LimitSource.POLICY;
        return guarded(function, h -> {
            int fn = h.add(lookup(function));
            int[] argv = new int[prepared.length];
            for (int i = 0; i < prepared.length; i++) {
                argv[i] = h.add(toJs(prepared[i]));
            }
            int result = h.add(check(q.call(via, fn, q.undefinedHandle(), argv)));
            runJobs(function, viaJobs, jf, jfs, jt, jts);
            return toJava(settled(h, result));
        });
    }

    /** Evaluates {@code code} as a global script and returns its completion value. */
    public Object eval(String code, String fileName) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(fileName, "fileName");
        return guarded("eval", h -> {
            int result = h.add(check(evalRaw(code, fileName)));
            runJobs("eval", q.executePendingJob, callFuel, LimitSource.POLICY, timeout, LimitSource.POLICY);
            return toJava(result);
        });
    }

    /** Whether the global object has a function of that name (a throwing getter counts as no). */
    public boolean hasFunction(String function) {
        Objects.requireNonNull(function, "function");
        return guarded(function, h -> {
            int fn = property(function);
            if (q.isException(fn)) {
                q.freeValue(fn);
                q.freeValue((int) q.getException.callRaw()[0]);
                return false;
            }
            h.add(fn);
            return q.isFunction.callRaw(fn)[0] != 0;
        });
    }

    /** A result that may be the exception marker: the marker becomes a JsException. */
    private int check(int result) {
        if (q.isException(result)) {
            q.freeValue(result);
            throw pendingException();
        }
        return result;
    }

    private interface Body<T> {
        T run(Handles handles);
    }

    /** Values a call made, freed when it ends cleanly (a JavaScript exception included). */
    private final class Handles {
        private int[] values = new int[8];
        private int n;

        int add(int v) {
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, n * 2);
            }
            values[n++] = v;
            return v;
        }

        void free() {
            for (int i = n - 1; i >= 0; i--) {
                q.freeValue(values[i]);
            }
            n = 0;
        }
    }

    private <T> T guarded(String what, Body<T> body) {
        if (broken) {
            throw new IllegalStateException("JavaScript plugin '" + name + "' failed in its last call and was not restored:"
                    + " restore a snapshot (or reset()) before calling it again");
        }
        var handles = new Handles();
        current = what;
        try {
            T r = body.run(handles);
            handles.free();
            return r;
        } catch (JsException e) {
            handles.free();
            throw e;
        } catch (QuickJs.OutOfEngineMemory e) {
            handles.free();
            throw new JsException(name, "InternalError", "out of memory (" + e.getMessage() + ")", "");
        } catch (CorralException e) {
            // the engine stopped mid-operation: back to the state right after start-up, or to
            // whatever snapshot the host restores next
            if (restoreAfterFailure) {
                plugin.restore(initial);
            } else {
                broken = true;
            }
            throw renamed(e);
        }
    }

    /**
     * Core names the engine's instance ('quickjs') and its export ('qjs_call'); the host wants
     * this plugin's name and the script's function. Same types, the original as the cause.
     */
    private RuntimeException renamed(CorralException e) {
        String what = current == null ? "start-up" : current;
        if (e instanceof FuelExhaustedException) {
            var f = (FuelExhaustedException) e;
            return new FuelExhaustedException(name, what, f.fuelUsed(), f.budget(), f.source(), e);
        }
        if (e instanceof CallTimeoutException) {
            var t = (CallTimeoutException) e;
            var copy = new CallTimeoutException(name + ": " + what, t.timeout(), t.source());
            copy.initCause(e);
            return copy;
        }
        if (e instanceof dev.corral.CallInterruptedException) {
            var copy = new dev.corral.CallInterruptedException(name + ": " + what);
            copy.initCause(e);
            return copy;
        }
        if (e instanceof dev.corral.StackExhaustedException) {
            return new dev.corral.StackExhaustedException(name + ": " + what, e);
        }
        if (e instanceof dev.corral.TrapException) {
            var t = (dev.corral.TrapException) e;
            return new dev.corral.TrapException(t.kind(), t.function().orElse(null),
                    "JavaScript plugin '" + name + "' (" + what + "): the engine trapped: " + t.getMessage(), e);
        }
        return e;
    }

    private int evalRaw(String code, String fileName) {
        byte[] src = Wtf8.encode(code);
        int codePtr = q.cString(src);
        int filePtr = q.cString(Wtf8.encode(fileName));
        try {
            return (int) q.eval.callRaw(codePtr, src.length, filePtr, 0)[0];
        } finally {
            q.free(codePtr);
            q.free(filePtr);
        }
    }

    private int property(String function) {
        int np = q.name(Wtf8.encode(function));
        try {
            return (int) q.getPropString.callRaw(global, np)[0];
        } finally {
            q.freeName(np);
        }
    }

    private int lookup(String function) {
        int fn = property(function);
        if (q.isException(fn)) {
            q.freeValue(fn);
            throw pendingException(); // a getter on the global object threw
        }
        if (q.isFunction.callRaw(fn)[0] == 0) {
            q.freeValue(fn);
            throw new JsException(name, "TypeError", function + " is not a function", "");
        }
        return fn;
    }

    /**
     * Runs the jobs the call queued (promise reactions, async functions), so that async code
     * completes within the call. They share the call's budgets: checked between jobs.
     */
    private void runJobs(String function, PluginFunction executePendingJob, long callFuel, LimitSource fuelSource,
            Duration timeout, LimitSource timeoutSource) {
        if (q.isJobPending.callRaw()[0] == 0) {
            return;
        }
        long fuelStart = callFuel > 0 ? plugin.fuelConsumedTotal() - plugin.fuelConsumed() : 0;
        long t0 = System.nanoTime();
        while (q.isJobPending.callRaw()[0] != 0) {
            if (callFuel > 0 && plugin.fuelConsumedTotal() - fuelStart > callFuel) {
                throw new FuelExhaustedException(name, function + " (pending jobs)", plugin.fuelConsumedTotal() - fuelStart, callFuel,
                        fuelSource, null);
            }
            if (timeout != null && System.nanoTime() - t0 > timeout.toNanos()) {
                throw new CallTimeoutException(function + " (pending jobs)", timeout, timeoutSource);
            }
            int r = (int) executePendingJob.callRaw()[0];
            if (r < 0) {
                throw pendingException();
            }
        }
    }

    /**
     * An async function's result, once the call's jobs ran: a fulfilled promise gives its value,
     * a rejected one is the call's JsException (an async onTick that throws fails like a
     * synchronous one), a pending one gives undefined. Any other value is itself.
     */
    private int settled(Handles h, int result) {
        if (q.isPromise.callRaw(result)[0] == 0) {
            return result;
        }
        int state = (int) q.promiseState.callRaw(result)[0];
        if (state == 0) {
            return q.undefinedHandle();
        }
        int value = h.add((int) q.promiseResult.callRaw(result)[0]);
        if (state == 2) {
            throw describe(value);
        }
        return value;
    }

    /** The engine's pending exception as a JsException (and the exception cleared). */
    private JsException pendingException() {
        int exc = (int) q.getException.callRaw()[0];
        try {
            return describe(exc);
        } finally {
            q.freeValue(exc);
        }
    }

    /** A thrown (or rejected-with) value as a JsException. */
    private JsException describe(int exc) {
        int d = q.call(describeFn, q.undefinedHandle(), exc);
        if (describeFn == 0 || q.isException(d)) {
            q.freeValue(d);
            q.freeValue((int) q.getException.callRaw()[0]);
            return new JsException(name, null, "(an exception that could not be described)", "");
        }
        String json = q.string(d);
        q.freeValue(d);
        List<?> l = (List<?>) Json.read(json);
        return new JsException(name, (String) l.get(0), (String) l.get(1), (String) l.get(2));
    }

    // ---- values ----

    /** Java arguments checked (and composite ones turned to JSON) before any guest call. */
    private static Object[] prepare(Object[] args) {
        Object[] out = new Object[args == null ? 0 : args.length];
        for (int i = 0; i < out.length; i++) {
            Object a = args[i];
            if (a == null || a instanceof Boolean || a instanceof String) {
                out[i] = a;
            } else if (a instanceof Character) {
                out[i] = a.toString();
            } else if (a instanceof Double || a instanceof Float) {
                out[i] = ((Number) a).doubleValue(); // NaN and infinities are JavaScript numbers too
            } else if (a instanceof Number) {
                out[i] = Double.valueOf(Json.number((Number) a)); // refuses longs beyond 2^53
            } else {
                out[i] = new JsonText(Json.write(a));
            }
        }
        return out;
    }

    private record JsonText(String text) {}

    private int toJs(Object v) {
        if (v == null) {
            return q.nullValue();
        }
        if (v instanceof Boolean) {
            return q.newBoolean((Boolean) v);
        }
        if (v instanceof Double) {
            return q.newNumber((Double) v);
        }
        if (v instanceof String) {
            return q.newString((String) v);
        }
        int text = q.newString(((JsonText) v).text());
        try {
            int value = q.call(parseFn, q.undefinedHandle(), text);
            if (q.isException(value)) {
                q.freeValue(value);
                throw pendingException();
            }
            return value;
        } finally {
            q.freeValue(text);
        }
    }

    private Object toJava(int v) {
        if (q.isUndefined.callRaw(v)[0] != 0 || q.isNull.callRaw(v)[0] != 0) {
            return null;
        }
        if (q.isNumber.callRaw(v)[0] != 0) {
            return number(q.number(v));
        }
        if (q.isBool.callRaw(v)[0] != 0) {
            return q.bool(v);
        }
        if (q.isString.callRaw(v)[0] != 0) {
            return q.string(v);
        }
        int text = q.call(encodeFn, q.undefinedHandle(), v);
        if (q.isException(text)) {
            q.freeValue(text);
            throw pendingException(); // e.g. a BigInt or a cycle: JSON.stringify's TypeError
        }
        try {
            return Json.read(q.string(text));
        } finally {
            q.freeValue(text);
        }
    }

    /** A JavaScript number as Integer, Long (integral, exact) or Double. */
    static Object number(double d) {
        if (d == Math.rint(d) && Math.abs(d) <= 9007199254740992.0) {
            long l = (long) d;
            return l == (int) l ? (Object) (int) l : (Object) l;
        }
        return d;
    }

    // ---- state ----

    public PluginSnapshot snapshot() {
        return plugin.snapshot();
    }

    public void restore(PluginSnapshot s) {
        plugin.restore(s);
        broken = false;
    }

    @Override
    public void close() {
        plugin.close();
    }

    private static String resource(String name) {
        try (InputStream in = JsRuntime.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("corral-js is missing its resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
