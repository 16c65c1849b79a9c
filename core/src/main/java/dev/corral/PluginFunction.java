package dev.corral;

/**
 * An exported function of one plugin, resolved once. Shares the plugin's thread confinement.
 */
public interface PluginFunction {
    String name();

    FunctionSignature signature();

    /** Typed call, as {@link Plugin#call}. */
    Results call(Object... args);

    /**
     * Fastest call: arguments and results as raw wasm bits (i32 in the low 32 bits, floats as
     * IEEE bits). No boxing, no checks beyond the argument count.
     */
    long[] callRaw(long... args);
}
