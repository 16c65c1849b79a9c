package dev.corral;

/** One word for how a call failed, so differential tests can compare metered and plain runs. */
public final class Outcomes {
    private Outcomes() {}

    public static String kind(CorralException e) {
        if (e instanceof CallTimeoutException) {
            return "timeout";
        }
        if (e instanceof FuelExhaustedException) {
            return "fuel";
        }
        if (e instanceof TrapException) {
            return "trap " + ((TrapException) e).kind();
        }
        if (e instanceof PluginExitException) {
            return "exit " + ((PluginExitException) e).exitCode();
        }
        return e.getClass().getSimpleName();
    }
}
