package dev.corral.internal.chicory;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.InvalidException;
import com.dylibso.chicory.wasm.MalformedException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.ExecutionMode;
import dev.corral.ModuleLoadException;
import dev.corral.ModuleLoadException.Reason;
import dev.corral.PluginModule;
import dev.corral.internal.Engine;
import dev.corral.internal.LoadSettings;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Function;

/**
 * load: digest check, parse + validate, rewrite, compile. Each step maps its failures to a
 * {@link ModuleLoadException} with a reason; nothing from Chicory escapes.
 */
public final class ChicoryModuleLoader {
    private ChicoryModuleLoader() {}

    public static PluginModule load(Engine engine, String name, byte[] bytes, String expectedSha256, ExecutionMode mode) {
        return load(engine, name, bytes, expectedSha256, mode, false, LoadSettings.DEFAULTS);
    }

    /**
     * @param tiered in compiled mode, when the compile cache does not have the module yet: serve
     *     instances from the interpreter at once and compile in the background (instances made
     *     after that run compiled; see {@link ChicoryModule#upgrade})
     */
    public static PluginModule load(Engine engine, String name, byte[] bytes, String expectedSha256, ExecutionMode mode,
            boolean tiered, LoadSettings settings) {
        String sha256 = sha256(bytes);
        if (expectedSha256 != null && !expectedSha256.equals(sha256)) {
            throw new ModuleLoadException(Reason.DIGEST_MISMATCH, "module '" + name + "' has SHA-256 " + sha256
                    + " but " + expectedSha256 + " was expected: refusing to load it");
        }
        // a compile-cache entry for these exact bytes exists only if they were validated before (by
        // this Corral and Chicory version: both are in the key), so a hit skips validation, which is
        // most of the time a cached load takes (1 s of 1.5 s for a 3.7 MB Go module)
        // counts, sizes and features, before Chicory allocates anything for the module (on a
        // cache hit too: this load's limits and features may be stricter than the first one's)
        ModuleScanner.scan(name, bytes, settings.limits(), settings.features());
        var budget = new LoadBudget(name, settings.limits().maxCompileTime());
        boolean validatedBefore = mode == ExecutionMode.COMPILED && compiledBefore(engine, digest(sha256));
        WasmModule parsed = validatedBefore ? parseValidatedBefore(name, bytes) : parse(name, bytes);
        budget.check("parsing");
        if (TailCalls.uses(parsed)) {
            // no tail calls are left for either runtime: they end the same way in both modes
            bytes = rewriteTailCalls(name, bytes, parsed);
            parsed = parse(name, bytes);
            validatedBefore = false;
            budget.check("rewriting tail calls");
        }
        WasmModule original = parsed;
        byte[] runnable = bytes;
        boolean background = tiered && mode == ExecutionMode.COMPILED && !validatedBefore;
        ModuleVariant plain = plain(engine, name, runnable, original, background ? ExecutionMode.INTERPRETED : mode, budget);
        ChicoryModule module;
        try {
            module = new ChicoryModule(engine, name, sha256, mode, runnable, original, plain, background, settings);
        } catch (RuntimeException e) {
            // Chicory 1.7.5's validator lets some bad indices through (e.g. an export of a function
            // that does not exist); describing the module is where they surface
            throw new ModuleLoadException(Reason.INVALID, "module '" + name + "' is invalid: " + e, e);
        }
        if (background) {
            // in the background, under a budget of its own
            module.upgrade(false, () -> plain(engine, name, runnable, original, ExecutionMode.COMPILED,
                    new LoadBudget(name, settings.limits().maxCompileTime())));
        }
        return module;
    }

    /** The unmetered variant: the module as it is, compiled; else a copy whose loops the interpreter can interrupt. */
    private static ModuleVariant plain(Engine engine, String name, byte[] bytes, WasmModule original, ExecutionMode mode,
            LoadBudget budget) {
        WasmModule module = original;
        Function<Instance, Machine> machineFactory = null;
        if (mode == ExecutionMode.COMPILED && !needsInterpreterFallback(engine, original)) {
            // compiled code checks interrupts on every back-edge and call: run the module as it is
            machineFactory = Compiles.record(engine, name, bytes.length, "plain", () -> compileWholly(engine, original));
            budget.check("compiling");
        }
        if (machineFactory == null) {
            // interpreted, or some function is too large for a JVM method and will be interpreted:
            // run a copy whose loops the interpreter can interrupt (see CodeRewriter)
            byte[] runnable = rewrite(name, bytes, original);
            module = runnable == bytes ? original : parse(name, runnable);
            budget.check("rewriting");
            WasmModule finalModule = module;
            machineFactory = mode == ExecutionMode.COMPILED
                    ? Compiles.record(engine, name, runnable.length, "plain", () -> compile(engine, name, finalModule))
                    : TrackingInterpreterMachine::new;
            budget.check("compiling");
        }
        return new ModuleVariant(module, machineFactory, -1, module.globalSection().globalCount(), java.util.Map.of());
    }

    /** Whether the compile cache holds this module's bytecode (or knows it needs the fallback compile). */
    private static boolean compiledBefore(Engine engine, String digest) {
        try {
            var cache = engine.compileCache();
            return cache.get(CacheAdapter.key(digest)) != null
                    || cache.get(CacheAdapter.key(digest) + FALLBACK_MARKER) != null;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** Chicory's module digest (its compile-cache key) from our hex SHA-256: "sha-256:" + base64. */
    static String digest(String sha256Hex) {
        return "sha-256:" + java.util.Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex));
    }

    /** Bytes the compile cache proves were validated before: decoded, not validated again. */
    private static WasmModule parseValidatedBefore(String name, byte[] bytes) {
        try {
            return parser(false).parse(() -> new java.io.ByteArrayInputStream(bytes));
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            return parse(name, bytes); // cannot happen for bytes that parsed before; the full path says why
        }
    }

    /**
     * Builds the fuel-metered variant of an already loaded module: instrument, re-parse with
     * validation (the rewrite must produce a valid module), compile once. As for plain modules,
     * compiled code gets no interpreter loop checks unless some function falls back to the
     * interpreter.
     */
    static ModuleVariant meter(Engine engine, String name, byte[] bytes, ExecutionMode mode, LoadSettings settings) {
        var budget = new LoadBudget(name, settings.limits().maxCompileTime());
        WasmModule original = parse(name, bytes);
        if (mode == ExecutionMode.COMPILED) {
            var r = instrument(name, bytes, original, false);
            budget.check("fuel metering");
            WasmModule module = parseInstrumented(name, r);
            budget.check("parsing the metered module");
            if (!needsInterpreterFallback(engine, module)) {
                var factory = Compiles.record(engine, name, r.bytes().length, "metered", () -> compileWholly(engine, module));
                budget.check("compiling the metered module");
                if (factory != null) {
                    return new ModuleVariant(module, factory, r.fuelGlobalIndex(), r.definedGlobalCount(), r.clones());
                }
            }
        }
        var r = instrument(name, bytes, original, true);
        budget.check("fuel metering");
        WasmModule module = parseInstrumented(name, r);
        budget.check("parsing the metered module");
        Function<Instance, Machine> factory = mode == ExecutionMode.COMPILED
                ? Compiles.record(engine, name, r.bytes().length, "metered", () -> compile(engine, name, module))
                : TrackingInterpreterMachine::new;
        budget.check("compiling the metered module");
        return new ModuleVariant(module, factory, r.fuelGlobalIndex(), r.definedGlobalCount(), r.clones());
    }

    private static FuelInstrumenter.Result instrument(String name, byte[] bytes, WasmModule original, boolean loopChecks) {
        try {
            return FuelInstrumenter.instrument(bytes, original, loopChecks);
        } catch (RuntimeException e) {
            throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name + "' cannot be fuel-metered: "
                    + e.getMessage(), e);
        }
    }

    private static WasmModule parseInstrumented(String name, FuelInstrumenter.Result r) {
        try {
            return parse(name, r.bytes());
        } catch (ModuleLoadException e) {
            throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name
                    + "' cannot be fuel-metered: the instrumented module does not validate (" + e.getMessage() + ")", e);
        }
    }

    /** Parses and validates {@code bytes}; visible for the instrumenter's tests. */
    static WasmModule parse(String name, byte[] bytes) {
        try {
            return parser(true).parse(() -> new java.io.ByteArrayInputStream(bytes));
        } catch (InvalidException e) {
            throw new ModuleLoadException(Reason.INVALID, "module '" + name + "' is invalid: " + e.getMessage(), e);
        } catch (MalformedException e) {
            throw new ModuleLoadException(Reason.MALFORMED, "module '" + name + "' is malformed: " + e.getMessage(), e);
        } catch (ChicoryException e) {
            throw new ModuleLoadException(Reason.MALFORMED, "module '" + name + "' cannot be decoded: " + e.getMessage(), e);
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            // Chicory's parser answers some corrupt inputs with raw JDK exceptions (buffer underflow,
            // negative sizes, index errors) or, under -ea, with its own assertions: they all mean
            // the bytes are not a well-formed module.
            throw new ModuleLoadException(Reason.MALFORMED, "module '" + name + "' is malformed (" + e + ")", e);
        }
    }

    /** Chicory's parser, with the name section behind a check (see {@link NameSection}). */
    private static Parser parser(boolean validate) {
        return Parser.builder().withValidation(validate).withCustomParsers(java.util.Map.of("name", NameSection::parse)).build();
    }

    private static byte[] rewriteTailCalls(String name, byte[] bytes, WasmModule parsed) {
        try {
            return TailCalls.rewrite(bytes, parsed);
        } catch (RuntimeException e) {
            throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name + "' could not be prepared for safe execution: " + e, e);
        }
    }

    private static byte[] rewrite(String name, byte[] bytes, WasmModule parsed) {
        try {
            return CodeRewriter.makeLoopsInterruptible(bytes, parsed);
        } catch (RuntimeException e) {
            throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name + "' could not be prepared for safe execution: " + e, e);
        }
    }

    /**
     * Compiles every function to bytecode (no interpreter fallback), or returns null when some
     * function cannot be, remembering that in the cache so the next load does not try again (a
     * failed attempt on a large module costs as much as a compile).
     */
    private static Function<Instance, Machine> compileWholly(Engine engine, WasmModule module) {
        try {
            return MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.FAIL)
                    .withCache(new CacheAdapter(engine))
                    .compile();
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            // maybe only a damaged cache entry: decide on a compile that does not read the cache
        }
        try {
            engine.countCompilation();
            return MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.FAIL)
                    .compile();
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            try {
                engine.compileCache().putIfAbsent(fallbackMarker(module), new byte[] {1});
            } catch (java.io.IOException | RuntimeException ignored) {
                // only the next load is slower
            }
            return null;
        }
    }

    private static boolean needsInterpreterFallback(Engine engine, WasmModule module) {
        try {
            return module.digest() != null && engine.compileCache().get(fallbackMarker(module)) != null;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static final String FALLBACK_MARKER = "/needs-interpreter-fallback";

    private static String fallbackMarker(WasmModule module) {
        return CacheAdapter.key(module.digest()) + FALLBACK_MARKER;
    }

    private static Function<Instance, Machine> compile(Engine engine, String name, WasmModule module) {
        try {
            // One factory for all instances: MachineFactoryCompiler::compile as a method reference
            // would compile again for every instance. SILENT fallback: functions too large for a
            // JVM method run in the interpreter; the loop rewrite keeps them interruptible.
            return MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.SILENT)
                    .withCache(new CacheAdapter(engine))
                    .compile();
        } catch (RuntimeException | LinkageError e) {
            // most likely a damaged cache entry (a truncated file, a jar from a broken disk):
            // a cache may only ever cost a compile, so try once more without it
        }
        try {
            engine.countCompilation();
            return MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.SILENT)
                    .compile();
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name + "' could not be compiled: " + e
                    + " (try ExecutionMode.INTERPRETED)", e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
