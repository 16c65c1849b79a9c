package dev.corral;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * WebAssembly proposals beyond the baseline, which a loader accepts or refuses. A module using a
 * feature that is not enabled fails to load with {@link ModuleLoadException.Reason#UNSUPPORTED},
 * naming the feature, before anything of it is compiled or run.
 *
 * <p>The baseline is always on: the 1.0 core, multi-value, bulk memory, reference types, sign
 * extension, saturating conversions, mutable globals, extended constants and typed function
 * references ({@code call_ref}). Deny by default what Corral cannot bound, like Wasmtime's
 * {@code Config}: see {@link #DEFAULTS}.
 *
 * <pre>{@code
 * Corral corral = Corral.builder().enable(WasmFeature.GC).build();   // every loader of this engine
 * corral.loader().disable(WasmFeature.EXCEPTIONS).load(bytes);      // one load
 * }</pre>
 */
public enum WasmFeature {
    /**
     * Garbage-collected structs, arrays and {@code i31} (the GC proposal: types, {@code 0xFB}
     * instructions, GC reference types). <b>Off by default</b>: GC objects live on the JVM heap,
     * outside every memory and table limit of a {@link PluginPolicy}, so a guest can allocate
     * until the JVM runs out of memory. Enable it only for trusted modules.
     */
    GC(true, false),
    /**
     * Shared memories and atomic instructions (the threads proposal). On by default: Corral runs
     * each plugin on one thread, where atomics are ordinary bounded memory accesses.
     * {@code memory.atomic.wait32/64} are refused whatever the setting: with no other thread to
     * notify it, a wait could only block until it timed out.
     */
    THREADS(true, true),
    /** More than one memory. On by default: every memory is bounded by the policy (see {@link PluginPolicy#maxMemoryPages()}). */
    MULTI_MEMORY(true, true),
    /** {@code return_call}, {@code return_call_indirect}, {@code return_call_ref}. On by default. */
    TAIL_CALLS(true, true),
    /** {@code throw}, {@code throw_ref}, {@code try_table} and tags (the exception-handling proposal). On by default. */
    EXCEPTIONS(true, true),
    /** 128-bit SIMD ({@code v128}, the {@code 0xFD} instructions). Not supported by the runtime: always refused. */
    SIMD(false, false),
    /** 64-bit memories and tables. Not supported by the runtime: always refused. */
    MEMORY64(false, false);

    /** What a loader accepts unless told otherwise: every supported feature except {@link #GC}. */
    public static final Set<WasmFeature> DEFAULTS;

    static {
        var d = EnumSet.noneOf(WasmFeature.class);
        for (var f : values()) {
            if (f.enabledByDefault) {
                d.add(f);
            }
        }
        DEFAULTS = Collections.unmodifiableSet(d);
    }

    private final boolean supported;
    private final boolean enabledByDefault;

    WasmFeature(boolean supported, boolean enabledByDefault) {
        this.supported = supported;
        this.enabledByDefault = enabledByDefault;
    }

    /** Whether Corral can run modules that use this feature at all (else it can never be enabled). */
    public boolean supported() {
        return supported;
    }

    /** The feature's name in messages, e.g. {@code "GC (garbage-collected structs and arrays)"}. */
    public String describe() {
        switch (this) {
            case GC: return "GC (garbage-collected structs and arrays)";
            case THREADS: return "threads (shared memory and atomics)";
            case MULTI_MEMORY: return "multi-memory";
            case TAIL_CALLS: return "tail calls";
            case EXCEPTIONS: return "exception handling";
            case SIMD: return "SIMD (v128)";
            case MEMORY64: return "memory64";
            default: return name();
        }
    }
}
