package dev.corral.internal.chicory;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.MachineFactory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.ModuleLoadException;
import dev.corral.ModuleLoadException.Reason;
import dev.corral.internal.Engine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes the compiled form of a module: fuel instrumentation (for the metered variant), function
 * splitting, compilation to JVM bytecode, and the facts about what came out. The plan (the
 * rewritten bytes and what must run interpreted) is cached next to the bytecode, keyed by the
 * original module's SHA-256, so a load that hits the compile cache rewrites nothing.
 *
 * <p>Splitting is checked against what the compiler really produced: a method that still came out
 * above the JIT limit (the size estimate errs by up to ~10%) gets its function split again with a
 * smaller budget, once. A function that cannot be compiled at all (too large and impossible to
 * split) runs in Chicory's interpreter, and the whole module gets the interruptible-loop rewrite
 * that interpreter needs (see {@link CodeRewriter}).
 */
final class VariantCompiler {
    /** Part of the plan's cache key: a plan made by another splitter is never reused. */
    static final String PLAN_VERSION = "split-1";
    private static final int MAX_INTERPRETED = 256;
    /**
     * Tests only: split every function down to this many estimated bytes, to run whole programs
     * (the guest SDK examples) through the splitter. Never set in production.
     */
    static final String TEST_BUDGET_PROPERTY = "dev.corral.internal.splitEverything";
    private static final Pattern FUNCTION_INDEX = Pattern.compile("WASM function index: (\\d+)");

    private VariantCompiler() {}

    /**
     * What came out, by function index; {@link ChicoryModule} names them.
     *
     * @param interruptOnly when every function runs compiled with {@link StopChecks}' checks, the
     *     functions whose calls can only be interrupted ({@link InterruptOnly}); a timed call of any
     *     other can be stopped without interrupting its thread. Null otherwise: every call is
     *     interrupted
     */
    record Facts(boolean compiled, int functions, Set<Integer> interpreted, Map<Integer, Integer> split, int helpers,
            CompiledCode.Method largest, List<CompiledCode.Method> above, long classBytes, long nanos, boolean fromCache,
            java.util.BitSet interruptOnly) {}

    /** Whether a timed call of {@code function} can be stopped through the stop word (see {@link Facts}). */
    static boolean stoppable(Facts facts, int function) {
        return facts != null && facts.interruptOnly() != null && !facts.interruptOnly().get(function);
    }

    /** How to rebuild the variant without rewriting: what the cache keeps. */
    record Plan(byte[] runnable, int fuelGlobal, int fuelSlot, int definedGlobals, Map<Integer, Integer> owners,
            Set<Integer> interpreted, Map<Integer, Integer> split) {}

    record Compiled(Function<Instance, Machine> factory, CompiledCode code) {}

    private static final class FunctionTooLarge extends RuntimeException {
        final int function;

        FunctionTooLarge(int function, Throwable cause) {
            super("function " + function + " is too large for a JVM method", cause, false, false);
            this.function = function;
        }
    }

    /** Whether the cache holds a plan for the plain variant of the module with this SHA-256. */
    static boolean hasPlan(Engine engine, String sha256, boolean metered) {
        return read(engine, planKey(sha256, metered)) != null;
    }

    static String planKey(String sha256, boolean metered) {
        Integer testBudget = Integer.getInteger(TEST_BUDGET_PROPERTY);
        return CacheAdapter.key("plan/" + PLAN_VERSION + (testBudget == null ? "" : "-everything" + testBudget) + "/"
                + (metered ? "metered-" + FuelInstrumenter.FORMAT + "/" : "plain/") + sha256);
    }

    /**
     * @param original the module's parse, let go as soon as a rewrite (metering, splitting) has
     *     made the parse Chicory compiles: a compile holds one parse, not three
     */
    static ModuleVariant compile(Engine engine, String name, String sha256, byte[] bytes, Parse original, boolean metered) {
        long t0 = System.nanoTime();
        int functions = original.functionCount();
        Integer testBudget = Integer.getInteger(TEST_BUDGET_PROPERTY);
        String key = planKey(sha256, metered);
        Plan plan = read(engine, key);
        if (plan != null) {
            try {
                byte[] runnable = plan.runnable() != null ? plan.runnable() : bytes;
                if (plan.runnable() != null) {
                    original.drop();
                }
                WasmModule module = plan.runnable() != null ? ChicoryModuleLoader.parse(name, runnable) : original.get();
                Compiled c = compileOnce(engine, module, plan.interpreted());
                return variant(module, c, plan, functions, System.nanoTime() - t0, true);
            } catch (RuntimeException e) {
                // a damaged or stale plan costs a rewrite, never a failed load
            }
        }
        int fuelGlobal = -1;
        int fuelSlot = -1;
        int definedGlobals = original.get().globalSection().globalCount();
        Map<Integer, Integer> clones = Map.of();
        byte[] input = bytes;
        WasmModule parsed = metered ? null : original.get();
        if (metered) {
            var r = ChicoryModuleLoader.instrument(name, bytes, original.get(), false);
            original.drop(); // the instrumented parse replaces it
            input = r.bytes();
            parsed = ChicoryModuleLoader.parseInstrumented(name, r, false);
            fuelGlobal = r.fuelGlobalIndex();
            fuelSlot = r.fuelSlot();
            definedGlobals = r.definedGlobalCount();
            clones = r.clones();
        }
        Map<Integer, Integer> forced = new HashMap<>();
        for (int round = 0; ; round++) {
            if (parsed == null) { // a second round: the first let the parse go
                parsed = metered ? ChicoryModuleLoader.decode(name, input) : original.get();
            }
            var split = split(name, input, parsed, testBudget == null
                    ? new FunctionSplitter.Options(FunctionSplitter.TRIGGER, FunctionSplitter.BUDGET, forced)
                    : new FunctionSplitter.Options(0, testBudget, forced));
            byte[] runnable = split.bytes();
            WasmModule module;
            if (split.changed()) {
                // Chicory compiles the split module: the parse it came from can go first
                parsed = null;
                original.drop();
                module = ChicoryModuleLoader.parseRewritten(name, runnable);
            } else {
                module = parsed;
            }
            Set<Integer> interpreted = new TreeSet<>();
            Compiled c;
            while (true) {
                try {
                    c = compileOnce(engine, module, interpreted);
                    break;
                } catch (dev.corral.CorralException e) {
                    throw e;
                } catch (FunctionTooLarge e) {
                    if (!interpreted.add(e.function) || interpreted.size() > MAX_INTERPRETED) {
                        throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name + "' could not be compiled: "
                                + e.getCause() + " (try ExecutionMode.INTERPRETED)", e.getCause());
                    }
                    if (interpreted.size() == 1) {
                        // Chicory's interpreter cannot stop every loop: give it the checks it needs
                        runnable = CodeRewriter.makeLoopsInterruptible(runnable, module);
                        module = ChicoryModuleLoader.parse(name, runnable);
                    }
                } catch (RuntimeException | LinkageError | StackOverflowError e) {
                    // Chicory's compiler fails on some modules its validator accepts (e.g. "Types not
                    // empty", found by LoadTest's corrupted modules): a load error, never a raw one
                    throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name + "' could not be compiled: " + e
                            + " (try ExecutionMode.INTERPRETED)", e);
                }
            }
            int newGlobals = module.globalSection().globalCount();
            Map<Integer, Integer> owners = new HashMap<>(clones);
            for (var e : split.helperOwners().entrySet()) {
                owners.put(e.getKey(), clones.getOrDefault(e.getValue(), e.getValue()));
            }
            var p = new Plan(runnable == bytes ? null : runnable, fuelGlobal, fuelSlot, newGlobals, Map.copyOf(owners),
                    Set.copyOf(interpreted), Map.copyOf(split.split()));
            List<Integer> again = round == 0 ? tooLarge(c, interpreted, split.helperOwners()) : List.of();
            if (again.isEmpty()) {
                if (p.runnable() != null || !interpreted.isEmpty()) {
                    write(engine, key, p); // a module that runs as it is needs no plan
                }
                return variant(module, c, p, functions, System.nanoTime() - t0, false);
            }
            for (int f : again) {
                forced.put(f, FunctionSplitter.BUDGET / 2);
            }
        }
    }

    private static FunctionSplitter.Result split(String name, byte[] input, WasmModule parsed, FunctionSplitter.Options options) {
        try {
            return FunctionSplitter.split(input, parsed, options);
        } catch (RuntimeException e) {
            if (options.trigger() == 0) {
                throw e; // a test splitting everything wants to see it
            }
            // a bug of the splitter must not cost the module: it runs unsplit, as before
            System.getLogger("dev.corral").log(System.Logger.Level.WARNING, "module '" + name
                    + "': splitting its large functions failed, they run as they are", e);
            return new FunctionSplitter.Result(input, Map.of(), Map.of(), Map.of());
        }
    }

    /** Functions (cut or helper's owner) whose compiled method is still above the JIT limit. */
    private static List<Integer> tooLarge(Compiled c, Set<Integer> interpreted, Map<Integer, Integer> owners) {
        List<Integer> out = new ArrayList<>();
        if (c.code() == null) {
            return out;
        }
        for (var m : c.code().above(FunctionSplitter.JIT_LIMIT)) {
            if (m.function() >= 0 && !interpreted.contains(m.function())) {
                int f = owners.getOrDefault(m.function(), m.function());
                if (!out.contains(f)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    static ModuleVariant variant(WasmModule module, Compiled c, Plan p, int functions, long nanos, boolean fromCache) {
        int helpers = p.split().values().stream().mapToInt(Integer::intValue).sum();
        CompiledCode code = c.code();
        List<CompiledCode.Method> above = code == null ? List.of() : code.above(FunctionSplitter.JIT_LIMIT);
        var facts = new Facts(true, functions, p.interpreted(), p.split(), helpers,
                code == null ? null : code.largest(), above, code == null ? 0 : code.classBytes, nanos, fromCache,
                code != null && code.stopsComplete && p.interpreted().isEmpty() ? code.interruptOnly : null);
        return new ModuleVariant(module, c.factory(), p.fuelGlobal(), p.fuelSlot(), p.definedGlobals(), p.owners(), facts);
    }

    /**
     * One compilation without interpreter fallback, except for {@code interpreted}. A function too
     * large for any JVM method comes out as {@link FunctionTooLarge}. The jar of generated classes
     * is kept to read the methods' sizes.
     */
    private static Compiled compileOnce(Engine engine, WasmModule module, Set<Integer> interpreted) {
        var capture = new Capture(new CacheAdapter(engine), true);
        try {
            return new Compiled(compile(module, interpreted, capture), capture.code());
        } catch (ChicoryException e) {
            tooLarge(e);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            // most likely a damaged cache entry: try once more without reading the cache
        }
        engine.countCompilation();
        var fresh = new Capture(new CacheAdapter(engine), false);
        try {
            return new Compiled(compile(module, interpreted, fresh), fresh.code());
        } catch (ChicoryException e) {
            tooLarge(e);
            throw e;
        }
    }

    /**
     * Chicory's {@code MachineFactoryCompiler.compile()} with a cache, except that a miss compiles
     * through {@link RewritingCollector}: the classes defined and the jar stored are the rewritten
     * ones, and a hit loads the rewritten jar through Chicory's own path.
     */
    private static Function<Instance, Machine> compile(WasmModule module, Set<Integer> interpreted, Cache cache) {
        if (!DispatchSplitter.ENABLED || module.digest() == null) {
            return builder(module, interpreted).withCache(cache).compile();
        }
        byte[] hit;
        try {
            hit = cache.get(module.digest());
        } catch (IOException e) {
            hit = null;
        }
        if (hit != null) {
            return builder(module, interpreted).withCache(new CacheHit.Entry(hit)).compile();
        }
        var stops = new StopChecks.Plan(InterruptOnly.of(module)); // one for all of Chicory's collectors
        var compiler = Compiler.builder(module).withInterpreterFallback(InterpreterFallback.FAIL)
                .withClassCollectorFactory(() -> new RewritingCollector(stops));
        if (!interpreted.isEmpty()) {
            compiler.withInterpretedFunctions(interpreted);
        }
        RewritingCollector collector;
        try {
            collector = (RewritingCollector) compiler.build().compile().collector();
        } catch (VerifyError e) {
            // a rewrite the JVM rejects is a bug of ours: the module runs as Chicory compiles it
            System.getLogger("dev.corral").log(System.Logger.Level.WARNING, "rewriting the compiled code of a module"
                    + " failed verification; it runs unrewritten (slower)", e);
            return builder(module, interpreted).withCache(cache).compile();
        }
        try {
            cache.putIfAbsent(module.digest(), collector.jar());
        } catch (IOException | RuntimeException e) {
            // the module is compiled and usable; only the next load will be slower
        }
        return new MachineFactory(module, collector.machineFactory());
    }

    private static void tooLarge(ChicoryException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = FUNCTION_INDEX.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                throw new FunctionTooLarge(Integer.parseInt(m.group(1)), e);
            }
        }
    }

    private static MachineFactoryCompiler.Builder builder(WasmModule module, Set<Integer> interpreted) {
        var b = MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.FAIL);
        if (!interpreted.isEmpty()) {
            b.withInterpretedFunctions(interpreted);
        }
        return b;
    }

    /** Passes through to the engine's cache and keeps the jar of classes that went in or came out. */
    private static final class Capture implements Cache {
        private final CacheAdapter delegate;
        private final boolean read;
        private byte[] jar;

        Capture(CacheAdapter delegate, boolean read) {
            this.delegate = delegate;
            this.read = read;
        }

        @Override
        public byte[] get(String key) throws IOException {
            if (!read) {
                return null;
            }
            jar = delegate.get(key);
            return jar;
        }

        @Override
        public void putIfAbsent(String key, byte[] data) {
            jar = data;
            delegate.putIfAbsent(key, data);
        }

        CompiledCode code() {
            try {
                return jar == null ? null : CompiledCode.ofJar(jar);
            } catch (IOException | RuntimeException e) {
                return null; // the facts are unknown, the module runs
            } finally {
                jar = null;
            }
        }
    }

    // ---- the plan in the cache ----

    static Plan read(Engine engine, String key) {
        byte[] data;
        try {
            data = engine.compileCache().get(key);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (data == null) {
            return null;
        }
        try (var in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(data))) {
            if (!PLAN_VERSION.equals(in.readUTF())) {
                return null;
            }
            int fuelGlobal = in.readInt();
            int fuelSlot = in.readInt();
            int definedGlobals = in.readInt();
            Map<Integer, Integer> owners = readMap(in);
            Set<Integer> interpreted = new TreeSet<>(readMap(in).keySet());
            Map<Integer, Integer> split = readMap(in);
            int length = in.readInt();
            byte[] runnable = length < 0 ? null : in.readNBytes(length);
            if (runnable != null && runnable.length != length) {
                return null;
            }
            return new Plan(runnable, fuelGlobal, fuelSlot, definedGlobals, owners, interpreted, split);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void write(Engine engine, String key, Plan p) {
        var bytes = new java.io.ByteArrayOutputStream(p.runnable() == null ? 256 : p.runnable().length + 256);
        try (var out = new java.io.DataOutputStream(bytes)) {
            out.writeUTF(PLAN_VERSION);
            out.writeInt(p.fuelGlobal());
            out.writeInt(p.fuelSlot());
            out.writeInt(p.definedGlobals());
            writeMap(out, p.owners());
            Map<Integer, Integer> interpreted = new HashMap<>();
            p.interpreted().forEach(f -> interpreted.put(f, 0));
            writeMap(out, interpreted);
            writeMap(out, p.split());
            if (p.runnable() == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(p.runnable().length);
                out.write(p.runnable());
            }
        } catch (IOException e) {
            return;
        }
        try {
            engine.compileCache().putIfAbsent(key, bytes.toByteArray());
        } catch (IOException | RuntimeException e) {
            // only the next load is slower
        }
    }

    private static Map<Integer, Integer> readMap(java.io.DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 10_000_000) {
            throw new IOException("bad plan");
        }
        Map<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(in.readInt(), in.readInt());
        }
        return m;
    }

    private static void writeMap(java.io.DataOutputStream out, Map<Integer, Integer> m) throws IOException {
        out.writeInt(m.size());
        for (var e : m.entrySet()) {
            out.writeInt(e.getKey());
            out.writeInt(e.getValue());
        }
    }
}
