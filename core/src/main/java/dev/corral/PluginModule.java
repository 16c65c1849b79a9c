package dev.corral;

import java.util.List;
import java.util.Optional;

/**
 * A loaded, validated and compiled module. Immutable and thread-safe: compile once, then
 * {@link #instantiate} as many plugins as you need, from any thread; they all share the compiled
 * code.
 */
public interface PluginModule {
    String name();

    /** SHA-256 of the module's bytes, lower-case hex. */
    String sha256();

    ExecutionMode executionMode();

    List<ImportDescriptor> imports();

    List<ExportDescriptor> exports();

    List<MemoryDescriptor> memories();

    /** Calls, failures and fuel over every instance of this module (pooled ones included), and how many live. */
    ModuleStats stats();

    /** The exported function's signature, if the module exports a function of that name. */
    Optional<FunctionSignature> exportedFunction(String name);

    /** A new instance with the default policy (nothing granted, default limits). */
    default Plugin instantiate() {
        return instantiate(PluginPolicy.defaults());
    }

    /**
     * A new instance governed by {@code policy}. Linking is checked against the granted host
     * modules first: every missing import is listed in one {@link UnlinkableModuleException}.
     */
    Plugin instantiate(PluginPolicy policy);

    /**
     * A pool of instances under {@code policy} with the defaults (see {@link PluginPool.Builder});
     * use {@link PluginPool#builder} for an initializer, sizes and timeouts.
     */
    default PluginPool pool(PluginPolicy policy) {
        return PluginPool.builder(this).policy(policy).build();
    }
}
