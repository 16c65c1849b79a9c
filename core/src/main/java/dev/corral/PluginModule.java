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

    /**
     * Waits at most {@code timeout} until instances created from now on run compiled code: at once
     * for a module loaded compiled, after the background compile for a tiered one
     * ({@link ModuleLoader#tiered}). False for an interpreted module, on timeout, or if the
     * background compile failed (instances then keep running in the interpreter).
     */
    boolean awaitCompiled(java.time.Duration timeout) throws InterruptedException;

    /** Calls, failures and fuel over every instance of this module (pooled ones included), and how many live. */
    ModuleStats stats();

    /** The exported function's signature, if the module exports a function of that name. */
    Optional<FunctionSignature> exportedFunction(String name);

    /**
     * What compiling the module produced: which functions run compiled or interpreted, which were
     * split to stay JIT-able, the largest method, compile time and bytes (see {@link CompileFacts}).
     * For the variant policies without fuel run; a module loaded {@linkplain ModuleLoader#metered
     * metered} compiles that variant now if no instance needed it yet.
     */
    CompileFacts compileFacts();

    /**
     * The same for the fuel-metered variant, which is instrumented and compiled when the first
     * policy with fuel instantiates the module (at load for a module loaded
     * {@linkplain ModuleLoader#metered metered}); empty until then.
     */
    Optional<CompileFacts> meteredCompileFacts();

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
     * A new instance governed by {@code policy}, on which {@code initializer} runs right after the
     * start function and {@code _initialize}: all three are the plugin's initialization and run
     * under the policy's initialization limits ({@link PluginPolicy.Builder#initTimeout},
     * {@link PluginPolicy.Builder#initFuel}) rather than its per-call ones, e.g. an interpreter's
     * start-up and a script's top-level code. If the initializer throws, the plugin is closed and
     * the exception propagates. The initializer's own calls count in {@link Plugin#stats()}.
     */
    Plugin instantiate(PluginPolicy policy, java.util.function.Consumer<? super Plugin> initializer);

    /**
     * A pool of instances under {@code policy} with the defaults (see {@link PluginPool.Builder});
     * use {@link PluginPool#builder} for an initializer, sizes and timeouts.
     */
    default PluginPool pool(PluginPolicy policy) {
        return PluginPool.builder(this).policy(policy).build();
    }
}
