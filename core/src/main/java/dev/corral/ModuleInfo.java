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
 * PluginModule module = info.compile();
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
     * Compiles (or, in {@link ExecutionMode#INTERPRETED}, prepares) the module in the loader's
     * execution mode, from what was parsed here. Once per info; later calls return the same module.
     */
    PluginModule compile();
}
