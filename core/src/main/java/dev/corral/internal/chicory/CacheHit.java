package dev.corral.internal.chicory;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.internal.Engine;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * A variant served whole by the compile cache: its plan (when the module was rewritten) and its
 * classes are there, so nothing is rewritten, validated or compiled, and no function body is
 * decoded except those that run in Chicory's interpreter ({@link BodilessParser}). This is a warm
 * start's path; the full path ({@link VariantCompiler}) gives the same variant, only slower, and
 * runs whenever this one cannot (no entry, a damaged one, a module with tail calls).
 *
 * <p>Sound because a cache entry exists only for bytes that passed the full path with this Corral
 * and Chicory version (both are in every key): the original bytes were validated before their plan
 * was written, the plan's rewritten bytes were validated before they were compiled, and the classes
 * are the compiler's output for exactly those bytes (their SHA-256 is the key).
 */
final class CacheHit {
    private CacheHit() {}

    /** The plain variant and the original module it was made from (for names and descriptions). */
    record Plain(ModuleVariant variant, WasmModule original) {}

    /** The plain variant from the cache, or null when the cache cannot serve it whole. */
    static Plain plain(Engine engine, String name, String sha256, byte[] bytes) {
        var plan = VariantCompiler.read(engine, VariantCompiler.planKey(sha256, false));
        byte[] runnable = plan == null || plan.runnable() == null ? bytes : plan.runnable();
        String digest = digest(sha256, bytes, runnable);
        byte[] jar = jar(engine, digest);
        if (jar == null) {
            return null;
        }
        return Compiles.record(engine, name, bytes.length, "plain", () -> {
            long t0 = System.nanoTime();
            WasmModule module = parse(runnable, plan, digest);
            // ChicoryModule reads only the original's interface (descriptions, types): no data or names
            WasmModule original = runnable == bytes ? module : parseInterface(bytes, ChicoryModuleLoader.digest(sha256));
            if (module == null || original == null) {
                return null;
            }
            var variant = load(engine, module, original, plan, jar, t0);
            return variant == null ? null : new Plain(variant, original);
        });
    }

    /** The fuel-metered variant from the cache, or null when the cache cannot serve it whole. */
    static ModuleVariant metered(Engine engine, String name, String sha256, byte[] bytes) {
        var plan = VariantCompiler.read(engine, VariantCompiler.planKey(sha256, true));
        if (plan == null || plan.runnable() == null) {
            return null; // a metered variant always has a plan: its instrumented bytes
        }
        String digest = digest(sha256, bytes, plan.runnable());
        byte[] jar = jar(engine, digest);
        if (jar == null) {
            return null;
        }
        return Compiles.record(engine, name, bytes.length, "metered", () -> {
            long t0 = System.nanoTime();
            WasmModule module = parse(plan.runnable(), plan, digest);
            // the facts count the original's functions; nothing else of it is needed
            WasmModule original = parseInterface(bytes, ChicoryModuleLoader.digest(sha256));
            return module == null || original == null ? null : load(engine, module, original, plan, jar, t0);
        });
    }

    private static String digest(String sha256, byte[] bytes, byte[] runnable) {
        return ChicoryModuleLoader.digest(runnable == bytes ? sha256 : ChicoryModuleLoader.sha256(runnable));
    }

    /** The cached classes for the module with this digest, or null. */
    private static byte[] jar(Engine engine, String digest) {
        try {
            return engine.compileCache().get(CacheAdapter.classesKey(digest));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static WasmModule parse(byte[] wasm, VariantCompiler.Plan plan, String digest) {
        try {
            return BodilessParser.parse(wasm, plan == null ? Set.of() : plan.interpreted(), digest);
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            return null; // cannot happen for bytes that parsed before; the full path will say what is wrong
        }
    }

    static WasmModule parseInterface(byte[] wasm, String digest) {
        try {
            return BodilessParser.parseInterface(wasm, digest);
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            return null;
        }
    }

    private static ModuleVariant load(Engine engine, WasmModule module, WasmModule original, VariantCompiler.Plan plan,
            byte[] jar, long t0) {
        Set<Integer> interpreted = plan == null ? Set.of() : plan.interpreted();
        var b = MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.FAIL);
        if (!interpreted.isEmpty()) {
            b.withInterpretedFunctions(interpreted);
        }
        VariantCompiler.Compiled c;
        try {
            c = new VariantCompiler.Compiled(b.withCache(new Entry(jar)).compile(), code(jar));
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            return null; // a damaged entry: the full path compiles again
        }
        CacheAdapter.countHit(engine);
        var p = plan != null ? plan
                : new VariantCompiler.Plan(null, -1, -1, module.globalSection().globalCount(), Map.of(), Set.of(), Map.of());
        return VariantCompiler.variant(module, c, p, original.functionSection().functionCount(), System.nanoTime() - t0, true);
    }

    private static CompiledCode code(byte[] jar) {
        try {
            return CompiledCode.ofJar(jar);
        } catch (IOException | RuntimeException e) {
            return null; // the facts are unknown, the module runs
        }
    }

    /**
     * Hands Chicory the one entry already read. It must never compile: the module it holds has no
     * bodies. A miss (impossible here) fails instead, and the full path takes over.
     */
    static final class Entry implements Cache {
        private final byte[] jar;

        Entry(byte[] jar) {
            this.jar = jar;
        }

        @Override
        public byte[] get(String key) throws IOException {
            if (jar == null) {
                throw new IOException("no cached classes for " + key);
            }
            return jar;
        }

        @Override
        public void putIfAbsent(String key, byte[] data) {
            throw new IllegalStateException("a module without bodies must not be compiled");
        }
    }
}
