package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.InvalidException;
import com.dylibso.chicory.wasm.MalformedException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.ExecutionMode;
import dev.corral.ModuleLoadException;
import dev.corral.ModuleInfo;
import dev.corral.ModuleLoadException.Reason;
import dev.corral.PluginModule;
import dev.corral.internal.Engine;
import dev.corral.internal.LoadSettings;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * load: digest check, parse + validate, then the runnable variant: rewritten and compiled
 * ({@link VariantCompiler}) or interpreted. Each step maps its failures to a
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
        String sha256 = checkDigest(name, bytes, expectedSha256);
        return withinHeap(name, bytes.length, settings.metered(), () -> loadChecked(engine, name, bytes, sha256, mode, tiered, settings));
    }

    private static PluginModule loadChecked(Engine engine, String name, byte[] bytes, String sha256, ExecutionMode mode,
            boolean tiered, LoadSettings settings) {
        var scan = scan(engine, name, sha256, bytes, mode, settings);
        var scanned = scan.facts();
        boolean scannedBefore = scan.cached();
        var budget = new LoadBudget(name, settings.limits().maxCompileTime());
        if (mode == ExecutionMode.COMPILED && !settings.metered() && !scanned.features().contains(dev.corral.WasmFeature.TAIL_CALLS)) {
            // a warm start: the cache has everything, so no function body is even decoded
            var hit = CacheHit.plain(engine, name, sha256, bytes);
            if (hit != null) {
                budget.check("loading from the compile cache");
                return remember(engine, sha256, scanned, scannedBefore,
                        new ChicoryModule(engine, name, sha256, mode, bytes, shape(name, hit.original()), hit.variant(), null,
                                false, settings));
            }
        }
        // a compile-cache entry for these exact bytes exists only if they were validated before (by
        // this Corral and Chicory version: both are in the key), so a hit skips validation, which is
        // most of the time a cached load takes (1 s of 1.5 s for a 3.7 MB Go module)
        boolean validatedBefore = mode == ExecutionMode.COMPILED && compiledBefore(engine, sha256, settings.metered());
        WasmModule parsed = validatedBefore ? parseValidatedBefore(name, bytes) : parse(name, bytes);
        budget.check("parsing");
        if (TailCalls.uses(parsed)) {
            bytes = withoutTailCalls(name, bytes, parsed);
            parsed = parse(name, bytes);
            validatedBefore = false;
            budget.check("rewriting tail calls");
        }
        var shape = shape(name, parsed);
        var parse = new Parse(name, bytes, parsed);
        parsed = null; // from here on only `parse` holds it, so the compile can let it go
        var module = compile(engine, name, sha256, bytes, shape, parse, mode, tiered && !validatedBefore, settings, budget);
        return remember(engine, sha256, scanned, scannedBefore || mode != ExecutionMode.COMPILED, module);
    }

    /** The pre-validator's facts and whether they came from the compile cache ({@link CachedScan}). */
    private record Scan(ModuleScanner.Facts facts, boolean cached) {}

    /**
     * Counts, sizes and features, before Chicory allocates anything for the module: on a compiled
     * load from the facts of a scan that passed before (this load's limits and features may be
     * stricter than the first one's: CachedScan checks them), else by scanning the bytes.
     */
    private static Scan scan(Engine engine, String name, String sha256, byte[] bytes, ExecutionMode mode,
            LoadSettings settings) {
        var cached = mode == ExecutionMode.COMPILED
                ? CachedScan.lookup(engine, sha256, bytes.length, settings.limits(), settings.features()) : null;
        return cached != null ? new Scan(cached, true)
                : new Scan(ModuleScanner.scan(name, bytes, settings.limits(), settings.features()), false);
    }

    /** A module that loaded in compiled mode: its scan's facts spare the next load the scan ({@link CachedScan}). */
    private static PluginModule remember(Engine engine, String sha256, ModuleScanner.Facts scanned, boolean known, PluginModule module) {
        if (!known) {
            CachedScan.remember(engine, sha256, scanned);
        }
        return module;
    }

    /** What the module needs and offers, read before compiling (the parse may be gone after). */
    static ChicoryModule.Shape shape(String name, WasmModule parsed) {
        try {
            return ChicoryModule.Shape.of(parsed);
        } catch (RuntimeException e) {
            // Chicory 1.7.5's validator lets some bad indices through (e.g. an export of a function
            // that does not exist); describing the module is where they surface
            throw new ModuleLoadException(Reason.INVALID, "module '" + name + "' is invalid: " + e, e);
        }
    }

    /**
     * Parses and validates only: what the module needs and offers, before any compiling. As in
     * {@link #load}, the pre-validator runs first and bytes the compile cache proves were
     * validated before are only decoded.
     */
    public static ModuleInfo inspect(Engine engine, String name, byte[] bytes, String expectedSha256, ExecutionMode mode,
            boolean tiered, LoadSettings settings) {
        String sha256 = checkDigest(name, bytes, expectedSha256);
        var scan = scan(engine, name, sha256, bytes, mode, settings);
        var scanned = scan.facts();
        boolean scannedBefore = scan.cached();
        boolean validatedBefore = mode == ExecutionMode.COMPILED && compiledBefore(engine, sha256, settings.metered());
        if (scannedBefore && validatedBefore && !settings.metered() && !scanned.features().contains(dev.corral.WasmFeature.TAIL_CALLS)) {
            // a warm start (as in load): the interface is all an inspection reads, and compile()
            // then takes load's path, which serves the module from the cache without decoding a body
            var iface = CacheHit.parseInterface(bytes, digest(sha256));
            if (iface != null) {
                try {
                    return new ChicoryModuleInfo(engine, name, sha256, mode, false, bytes, iface, true, scanned, true, settings);
                } catch (RuntimeException e) {
                    // fall through: the full parse below says what is wrong
                }
            }
        }
        var parsed = validatedBefore ? parseValidatedBefore(name, bytes) : parse(name, bytes);
        if (TailCalls.uses(parsed)) {
            bytes = withoutTailCalls(name, bytes, parsed);
            parsed = parse(name, bytes);
            validatedBefore = false;
        }
        try {
            return new ChicoryModuleInfo(engine, name, sha256, mode, tiered && !validatedBefore, bytes, parsed, false,
                    scanned, scannedBefore || mode != ExecutionMode.COMPILED, settings);
        } catch (RuntimeException e) {
            throw new ModuleLoadException(Reason.INVALID, "module '" + name + "' is invalid: " + e, e);
        }
    }

    /** An inspected module, compiled now (its time limit counts from here). */
    static PluginModule compile(Engine engine, String name, String sha256, byte[] bytes, ChicoryModule.Shape shape, Parse original,
            ExecutionMode mode, boolean tiered, LoadSettings settings) {
        return compile(engine, name, sha256, bytes, shape, original, mode, tiered, settings,
                new LoadBudget(name, settings.limits().maxCompileTime()));
    }

    private static PluginModule compile(Engine engine, String name, String sha256, byte[] bytes, ChicoryModule.Shape shape,
            Parse original, ExecutionMode mode, boolean tiered, LoadSettings settings, LoadBudget budget) {
        boolean background = tiered && mode == ExecutionMode.COMPILED;
        boolean metered = settings.metered();
        // a metered load compiles only the variant policies with fuel run: the plain one waits for
        // a policy without fuel (ChicoryModule.variant), so a metered host compiles once
        ModuleVariant first = metered
                ? meter(engine, name, sha256, bytes, original, background ? ExecutionMode.INTERPRETED : mode, settings, budget)
                : plain(engine, name, sha256, bytes, original, background ? ExecutionMode.INTERPRETED : mode);
        budget.check("compiling");
        var module = new ChicoryModule(engine, name, sha256, mode, bytes, shape, metered ? null : first, metered ? first : null,
                background, settings);
        if (background) {
            // the parse stays reachable from this task only until the compiler thread is done with it
            module.upgrade(metered, () -> metered
                    ? meter(engine, name, sha256, bytes, original, ExecutionMode.COMPILED, settings,
                            new LoadBudget(name, settings.limits().maxCompileTime()))
                    : plain(engine, name, sha256, bytes, original, ExecutionMode.COMPILED));
        }
        return module;
    }

    /**
     * The plain variant of a module loaded {@linkplain LoadSettings#metered metered}, built when a
     * policy without fuel first needs it: parsed again from the bytes (they were validated at load).
     */
    static ModuleVariant plainLater(Engine engine, String name, String sha256, byte[] bytes, ExecutionMode mode) {
        return withinHeap(name, bytes.length, false,
                () -> plain(engine, name, sha256, bytes, new Parse(name, bytes, decode(name, bytes)), mode));
    }

    /**
     * Runs a load or a compile, answering a heap too small for it with a {@link ModuleLoadException}
     * ({@code LIMITS}) that says what to do, not a raw {@link OutOfMemoryError}. What ran out was this
     * load's own transient parse and compile (Chicory's parse holds ~77 bytes per instruction, a
     * fuel-metered module ~3x the instructions of the original: Ruby 3.4's 16.6 MB need ~1.4 GB for
     * that parse alone), which is garbage once the error unwinds, so the JVM goes on.
     */
    static <T> T withinHeap(String name, int size, boolean metered, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (OutOfMemoryError e) {
            throw new ModuleLoadException(Reason.LIMITS, "module '" + name + "' (" + (size >> 10) + " KB) could not be "
                    + (metered ? "fuel-metered and compiled" : "compiled") + " within this JVM's heap (max "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MB): its parse and compile need more. Give the JVM more"
                    + " heap (-Xmx)" + (metered ? "; a fuel-metered variant needs about three times the plain one's" : ""), e);
        }
    }

    /**
     * The unmetered variant: compiled, with functions too large for a JIT-able method split first
     * ({@link VariantCompiler}); else a copy whose loops the interpreter can interrupt.
     */
    private static ModuleVariant plain(Engine engine, String name, String sha256, byte[] bytes, Parse original,
            ExecutionMode mode) {
        if (mode == ExecutionMode.COMPILED) {
            return Compiles.record(engine, name, bytes.length, "plain",
                    () -> VariantCompiler.compile(engine, name, sha256, bytes, original, false));
        }
        byte[] runnable = rewrite(name, bytes, original.get());
        WasmModule module = runnable == bytes ? original.get() : parse(name, runnable);
        return interpreted(module, original.functionCount(), -1, -1, module.globalSection().globalCount(), java.util.Map.of());
    }

    /**
     * Whether the compile cache holds this module's bytecode, or the plan that rewrote it (of the
     * variant the load compiles first: either proves the bytes were validated before).
     */
    private static boolean compiledBefore(Engine engine, String sha256, boolean metered) {
        try {
            var cache = engine.compileCache();
            return cache.get(CacheAdapter.classesKey(digest(sha256))) != null || VariantCompiler.hasPlan(engine, sha256, false)
                    || (metered && VariantCompiler.hasPlan(engine, sha256, true));
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** Chicory's module digest (its compile-cache key) from our hex SHA-256: "sha-256:" + base64. */
    static String digest(String sha256Hex) {
        return "sha-256:" + java.util.Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex));
    }

    /** Bytes validated before (this process, or the compile cache proves it): decoded, not validated again. */
    static WasmModule decode(String name, byte[] bytes) {
        return parseValidatedBefore(name, bytes);
    }

    private static WasmModule parseValidatedBefore(String name, byte[] bytes) {
        try {
            return parser(false).parse(() -> new java.io.ByteArrayInputStream(bytes));
        } catch (RuntimeException | StackOverflowError | AssertionError e) {
            return parse(name, bytes); // cannot happen for bytes that parsed before; the full path says why
        }
    }

    /**
     * Builds the fuel-metered variant of an already loaded module: instrument, re-parse (with
     * validation for the interpreter; for the compiler see {@link #parseRewritten}), then in
     * compiled mode split and compile it like the plain variant ({@link VariantCompiler}).
     */
    static ModuleVariant meter(Engine engine, String name, String sha256, byte[] bytes, ExecutionMode mode, LoadSettings settings) {
        return withinHeap(name, bytes.length, true, () -> meterLater(engine, name, sha256, bytes, mode, settings));
    }

    private static ModuleVariant meterLater(Engine engine, String name, String sha256, byte[] bytes, ExecutionMode mode,
            LoadSettings settings) {
        var budget = new LoadBudget(name, settings.limits().maxCompileTime());
        if (mode == ExecutionMode.COMPILED) {
            var hit = CacheHit.metered(engine, name, sha256, bytes);
            if (hit != null) {
                budget.check("loading the metered variant from the compile cache");
                return hit;
            }
        }
        var original = new Parse(name, bytes, decode(name, bytes)); // validated at load
        budget.check("parsing");
        return meter(engine, name, sha256, bytes, original, mode, settings, budget);
    }

    private static ModuleVariant meter(Engine engine, String name, String sha256, byte[] bytes, Parse original,
            ExecutionMode mode, LoadSettings settings, LoadBudget budget) {
        if (mode == ExecutionMode.COMPILED) {
            var variant = Compiles.record(engine, name, bytes.length, "metered",
                    () -> VariantCompiler.compile(engine, name, sha256, bytes, original, true));
            budget.check("metering and compiling");
            return variant;
        }
        var r = instrument(name, bytes, original.get(), true);
        original.drop();
        budget.check("fuel metering");
        WasmModule module = parseInstrumented(name, r);
        budget.check("parsing the metered module");
        return interpreted(module, original.functionCount(), r.fuelGlobalIndex(), r.fuelSlot(), r.definedGlobalCount(), r.clones());
    }

    private static ModuleVariant interpreted(WasmModule module, int functionCount, int fuelGlobal, int fuelSlot, int definedGlobals,
            java.util.Map<Integer, Integer> clones) {
        var facts = new VariantCompiler.Facts(false, functionCount, java.util.Set.of(), java.util.Map.of(),
                0, null, java.util.List.of(), 0, 0, false, null);
        return new ModuleVariant(module, TrackingInterpreterMachine::new, fuelGlobal, fuelSlot, definedGlobals, clones, facts);
    }

    static FuelInstrumenter.Result instrument(String name, byte[] bytes, WasmModule original, boolean loopChecks) {
        try {
            return FuelInstrumenter.instrument(bytes, original, loopChecks);
        } catch (RuntimeException e) {
            throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name + "' cannot be fuel-metered: "
                    + e.getMessage(), e);
        }
    }

    static WasmModule parseInstrumented(String name, FuelInstrumenter.Result r) {
        return parseInstrumented(name, r, true);
    }

    /** @param validate false for the compiler ({@link #parseRewritten}) */
    static WasmModule parseInstrumented(String name, FuelInstrumenter.Result r, boolean validate) {
        try {
            return validate ? parse(name, r.bytes()) : parseRewritten(name, r.bytes());
        } catch (ModuleLoadException e) {
            throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name
                    + "' cannot be fuel-metered: the instrumented module does not validate (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Set (to {@code true}) in the build's tests: the compile path validates what our own rewrites
     * (fuel metering, function splitting) produce, as it did before.
     */
    static final String VALIDATE_REWRITES_PROPERTY = "dev.corral.internal.validateRewrites";

    /**
     * Decodes the output of our own rewrites for the compiler, without Chicory's validation: the
     * user's bytes were validated (and pre-validated) at load, and a rewrite of a valid module is
     * valid by construction, which the tests check on every fixture, the fuzz corpus and the guest
     * SDK examples with {@value #VALIDATE_REWRITES_PROPERTY} on. The trade: an instrumenter or
     * splitter bug surfaces as a compile failure (the JVM's verifier rejecting the generated class,
     * a {@link ModuleLoadException}) instead of Chicory's validation message. Validating costs about
     * as much as decoding (QuickJS metered: 0.44 s of a 1.3 s parse), once per rewrite. Bytes for
     * the interpreter stay validated: no verifier stands behind it.
     */
    static WasmModule parseRewritten(String name, byte[] bytes) {
        return Boolean.getBoolean(VALIDATE_REWRITES_PROPERTY) ? parse(name, bytes) : decode(name, bytes);
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

    /** No tail calls are left for either runtime: they end the same way in both modes (see {@link TailCalls}). */
    private static byte[] withoutTailCalls(String name, byte[] bytes, WasmModule parsed) {
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

    private static String checkDigest(String name, byte[] bytes, String expectedSha256) {
        String sha256 = sha256(bytes);
        if (expectedSha256 != null && !expectedSha256.equals(sha256)) {
            throw new ModuleLoadException(Reason.DIGEST_MISMATCH, "module '" + name + "' has SHA-256 " + sha256
                    + " but " + expectedSha256 + " was expected: refusing to load it");
        }
        return sha256;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
