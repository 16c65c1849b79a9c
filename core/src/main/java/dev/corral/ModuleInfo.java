package dev.corral;

import java.util.List;
import java.util.Optional;

/**
 * A module parsed and validated, nothing compiled: what it needs and offers, answered in
 * milliseconds even for a 16 MB module (compiling it takes minutes). From
 * {@link ModuleLoader#inspect}; {@link #compile()} turns it into a {@link PluginModule} without
 * parsing again. Check what you need first (an entry point, the imports your policy grants), then
 * pay for compilation.
 *
 * <pre>{@code
 * ModuleInfo info = corral.loader().inspect(Path.of("ruby.wasm"));
 * if (info.exportedFunction("_start").isEmpty()) throw new IllegalArgumentException("not a command");
 * info.checkLinkable(policy);              // UnlinkableModuleException lists every import it lacks
 * PluginModule module = info.compile();    // minutes for a 16 MB module: only now
 * }</pre>
 */
public interface ModuleInfo {
    String name();

    /** SHA-256 of the module's bytes, lower-case hex. */
    String sha256();

    List<ImportDescriptor> imports();

    List<ExportDescriptor> exports();

    List<MemoryDescriptor> memories();

    /** The exported function's signature, if the module exports a function of that name. */
    Optional<FunctionSignature> exportedFunction(String name);

    /** Functions the module defines (imports not counted). */
    int functionCount();

    /** The size of the largest function body, in bytes of wasm code. */
    int largestFunctionBytes();

    /**
     * Every import that {@code policy} would leave unlinked, by the rules instantiation uses:
     * imports no grant provides, or provides with another type (the note in the descriptor's type
     * says what the host has), and imports a capability refuses when it binds (a strict WASI grant
     * that does not cover them). Empty when the module links. Nothing is compiled; each granted
     * capability is bound once to learn its functions and closed at once, as linking does.
     */
    List<ImportDescriptor> unlinkableImports(PluginPolicy policy);

    /**
     * Checks, before anything is compiled, what instantiating under {@code policy} checks before
     * it allocates, and throws what instantiating would throw: an
     * {@link UnlinkableModuleException} listing every unlinkable import, a
     * {@link ModuleLoadException} with reason {@code LIMITS} for a memory or table that starts
     * larger than the policy allows, or a granted host module's refusal (say, a plugin built for
     * another guest ABI). Returns normally when the module would link.
     */
    void checkLinkable(PluginPolicy policy);

    /**
     * Compiles (or, in {@link ExecutionMode#INTERPRETED}, prepares) the module in the loader's
     * execution mode, from what was parsed here. Once per info; later calls return the same module.
     */
    PluginModule compile();
}
