package dev.corral;

import java.util.Objects;

/**
 * A metered call ran out of fuel: the guest was stopped before the block it could not pay for
 * (see {@link PluginPolicy.Builder#fuel(long)}). Like a trap, the call is over and the instance
 * stays consistent; top it up with {@link Plugin#addFuel} or just call again with a fresh budget.
 * {@link #source()} says whose budget it was: the policy's, the call's own
 * ({@link PluginFunction#withFuel}) or initialization's ({@link PluginPolicy.Builder#initFuel}).
 */
public final class FuelExhaustedException extends CorralException {
    private static final long serialVersionUID = 1L;

    private final long fuelUsed;
    private final long budget;
    private final LimitSource source;

    /** A call that ran out of its policy's per-call fuel. */
    public FuelExhaustedException(String pluginName, String export, long fuelUsed, long budget, Throwable cause) {
        this(pluginName, export, fuelUsed, budget, LimitSource.POLICY, cause);
    }

    public FuelExhaustedException(String pluginName, String export, long fuelUsed, long budget, LimitSource source,
            Throwable cause) {
        super("plugin '" + pluginName + "' ran out of fuel in '" + export + "'"
                + (source == LimitSource.INITIALIZATION ? " during initialization" : "") + ": " + fuelUsed
                + " units charged against " + (source == LimitSource.INITIALIZATION ? "an " : "a ") + source.budgetName() + " of " + budget
                + (source == LimitSource.INITIALIZATION ? " (PluginPolicy.Builder.initFuel)" : ""), cause);
        this.fuelUsed = fuelUsed;
        this.budget = budget;
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Fuel charged by the call, including the block whose charge did not fit: it exceeds
     * {@link #budget()} by at most that block's cost. Deterministic for a given module and input.
     */
    public long fuelUsed() {
        return fuelUsed;
    }

    /**
     * The fuel the call had: the policy's per-call fuel (or the call's own, or what was left of
     * initialization's) plus any top-ups.
     */
    public long budget() {
        return budget;
    }

    /** Whose budget ran out: the policy's, the call's own, or initialization's. */
    public LimitSource source() {
        return source;
    }
}
