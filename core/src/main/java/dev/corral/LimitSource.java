package dev.corral;

/**
 * Where the limit that stopped a call came from, so a handler can tell a tight per-call budget
 * from the policy's or from initialization's (see {@link CallTimeoutException#source()} and
 * {@link FuelExhaustedException#source()}).
 */
public enum LimitSource {
    /** The policy's per-call limit: {@link PluginPolicy.Builder#timeout} or {@link PluginPolicy.Builder#fuel}. */
    POLICY("timeout", "budget"),
    /** The call's own limit: {@link PluginFunction#withTimeout} or {@link PluginFunction#withFuel}. */
    CALL("per-call timeout", "per-call budget"),
    /**
     * Initialization's limit, {@link PluginPolicy.Builder#initTimeout} or
     * {@link PluginPolicy.Builder#initFuel}: one budget for the start function, {@code _initialize}
     * and the initializer ({@link PluginModule#instantiate(PluginPolicy, java.util.function.Consumer)},
     * {@link PluginPool.Builder#initializer}) together.
     */
    INITIALIZATION("initialization timeout", "initialization budget");

    private final String timeoutName;
    private final String budgetName;

    LimitSource(String timeoutName, String budgetName) {
        this.timeoutName = timeoutName;
        this.budgetName = budgetName;
    }

    String timeoutName() {
        return timeoutName;
    }

    String budgetName() {
        return budgetName;
    }
}
