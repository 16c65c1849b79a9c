package dev.corral;

/**
 * The guest recursed deeper than allowed: past its policy's {@link PluginPolicy#maxCallDepth()}
 * (metered plugins: the same frame compiled and interpreted), or past what the calling thread's
 * stack holds. The call is over; the plugin stays usable.
 */
public final class StackExhaustedException extends CorralException {
    private static final long serialVersionUID = 1L;

    public StackExhaustedException(String export, Throwable cause) {
        super("call to '" + export + "' exhausted the call stack (runaway recursion in the guest?)",
                cause);
    }

    /** The guest's calls nested deeper than {@code maxCallDepth} (a metered plugin's limit). */
    public StackExhaustedException(String export, int maxCallDepth) {
        super("call to '" + export + "' exhausted the call stack: its calls nested deeper than the plugin's limit of "
                + maxCallDepth + " (runaway recursion in the guest? PluginPolicy.maxCallDepth sets the limit)");
    }
}
