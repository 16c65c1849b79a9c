package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;

/**
 * A module's parse, handed down the compile by reference so the step that no longer needs it can
 * let it go: a parse weighs ~28x the module (442 MB for Ruby 3.4's 16 MB, measured), and a
 * compile otherwise holds the original, the instrumented and the split parse at once while
 * Chicory generates classes. {@link #get()} decodes the bytes again if a later step (a retry)
 * needs it after all; they were validated when first parsed.
 */
final class Parse {
    private final String name;
    private final byte[] bytes;
    private final int functionCount;
    private WasmModule module;

    Parse(String name, byte[] bytes, WasmModule module) {
        this.name = name;
        this.bytes = bytes;
        this.module = module;
        this.functionCount = module.functionSection().functionCount();
    }

    /** Functions the module defines (not imports). */
    int functionCount() {
        return functionCount;
    }

    synchronized WasmModule get() {
        if (module == null) {
            module = ChicoryModuleLoader.decode(name, bytes);
        }
        return module;
    }

    /** Lets the parse go (callers must hold no other reference to it). */
    synchronized void drop() {
        module = null;
    }
}
