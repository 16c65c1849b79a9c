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

    public static PluginModule load(Engine engine, String name, byte[] bytes, String expectedSha256, ExecutionMode mode,
            LoadSettings settings) {
        String sha256 = sha256(bytes);
        if (expectedSha256 != null && !expectedSha256.equals(sha256)) {
            throw new ModuleLoadException(Reason.DIGEST_MISMATCH, "module '" + name + "' has SHA-256 " + sha256
                    + " but " + expectedSha256 + " was expected: refusing to load it");
        }
        // counts, sizes and features, before Chicory allocates anything for the module
        ModuleScanner.scan(name, bytes, settings.limits(), settings.features());
        var budget = new LoadBudget(name, settings.limits().maxCompileTime());
        WasmModule original = parse(name, bytes);
        budget.check("parsing");
        if (TailCalls.uses(original)) {
            // no tail calls are left for either runtime: they end the same way in both modes
            bytes = rewriteTailCalls(name, bytes, original);
            original = parse(name, bytes);
            budget.check("rewriting tail calls");
        }
        WasmModule module = original;
        Function<Instance, Machine> machineFactory = null;
        if (mode == ExecutionMode.COMPILED && !needsInterpreterFallback(engine, original)) {
            // compiled code checks interrupts on every back-edge and call: run the module as it is
            machineFactory = compileWholly(engine, original);
            budget.check("compiling");
        }
        if (machineFactory == null) {
            // interpreted, or some function is too large for a JVM method and will be interpreted:
            // run a copy whose loops the interpreter can interrupt (see CodeRewriter)
            byte[] runnable = rewrite(name, bytes, original);
            module = runnable == bytes ? original : parse(name, runnable);
            budget.check("rewriting");
            machineFactory = mode == ExecutionMode.COMPILED ? compile(engine, name, module) : TrackingInterpreterMachine::new;
            budget.check("compiling");
        }
        try {
            return new ChicoryModule(engine, name, sha256, mode, bytes, original, module, machineFactory, settings);
        } catch (RuntimeException e) {
            // Chicory 1.7.5's validator lets some bad indices through (e.g. an export of a function
            // that does not exist); describing the module is where they surface
            throw new ModuleLoadException(Reason.INVALID, "module '" + name + "' is invalid: " + e, e);
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
                var factory = compileWholly(engine, module);
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
                ? compile(engine, name, module)
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
            return Parser.builder().withValidation(true).withCustomParsers(java.util.Map.of("name", NameSection::parse)).build()
                    .parse(() -> new java.io.ByteArrayInputStream(bytes));
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

    private static String fallbackMarker(WasmModule module) {
        return CacheAdapter.key(module.digest()) + "/needs-interpreter-fallback";
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
