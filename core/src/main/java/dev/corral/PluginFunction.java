package dev.corral;

import java.time.Duration;

/**
 * An exported function of one plugin, resolved once. Shares the plugin's thread confinement.
 *
 * <p><b>Limits per call.</b> {@link #withTimeout} and {@link #withFuel} give a view of the same
 * export whose calls carry their own limits instead of the policy's, e.g. a game's tick deadline
 * while the policy's timeout leaves room for loading. Resolve the view once and keep it: calling
 * it allocates nothing more than calling this handle. A call made from inside another call of the
 * same plugin (guest→host→guest) runs under the outermost call's limits, whatever the handle.
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

    /**
     * This export with its own wall-clock limit: each outermost call through the view is stopped
     * after {@code timeout} with {@link CallTimeoutException} ({@link LimitSource#CALL}), whether the
     * policy sets a timeout or not, shorter or longer than it. The view keeps any per-call fuel of
     * this handle. Works for every plugin.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    PluginFunction withTimeout(Duration timeout);

    /**
     * This export with its own fuel: each outermost call through the view starts with
     * {@code units} (plus pending {@link Plugin#addFuel} top-ups) instead of the policy's per-call
     * fuel; running out is {@link FuelExhaustedException} ({@link LimitSource#CALL}). The view keeps
     * any per-call timeout of this handle.
     *
     * @throws IllegalArgumentException if {@code units} is not positive
     * @throws IllegalStateException if the plugin is not metered: its policy sets no fuel, so it runs
     *     uninstrumented code that cannot count (metering is chosen when the plugin is instantiated)
     */
    PluginFunction withFuel(long units);
}
