package dev.corral;

/**
 * A metered call ran out of fuel: the guest was stopped before the block it could not pay for
 * (see {@link PluginPolicy.Builder#fuel(long)}). Like a trap, the call is over and the instance
 * stays consistent; top it up with {@link Plugin#addFuel} or just call again with a fresh budget.
 */
public final class FuelExhaustedException extends CorralException {
    private static final long serialVersionUID = 1L;

    private final long fuelUsed;
    private final long budget;

    public FuelExhaustedException(String pluginName, String export, long fuelUsed, long budget, Throwable cause) {
        super("plugin '" + pluginName + "' ran out of fuel in '" + export + "': " + fuelUsed
                + " units charged against a budget of " + budget, cause);
        this.fuelUsed = fuelUsed;
        this.budget = budget;
    }

    /**
     * Fuel charged by the call, including the block whose charge did not fit: it exceeds
     * {@link #budget()} by at most that block's cost. Deterministic for a given module and input.
     */
    public long fuelUsed() {
        return fuelUsed;
    }

    /** The fuel the call had: the policy's per-call fuel plus any top-ups. */
    public long budget() {
        return budget;
    }
}
