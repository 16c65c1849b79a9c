package dev.corral;

/**
 * A host function the guest called threw. The host's own exception is the {@link #getCause()
 * cause}, also when it is an {@link Error} ({@code OutOfMemoryError}, {@code NoClassDefFoundError},
 * a {@code StackOverflowError} of the host's own code); the guest's call is abandoned.
 */
public final class HostFunctionException extends CorralException {
    private static final long serialVersionUID = 1L;
    private final String function;

    public HostFunctionException(String function, Throwable cause) {
        super("host function '" + function + "' failed: " + cause, cause);
        this.function = function;
    }

    /** {@code module.name} of the host function that threw. */
    public String function() {
        return function;
    }
}
