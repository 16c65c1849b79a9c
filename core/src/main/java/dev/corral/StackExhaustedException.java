package dev.corral;

/**
 * The guest recursed deeper than the calling thread's stack allows. The call is over; the
 * plugin stays usable.
 */
public final class StackExhaustedException extends CorralException {
    private static final long serialVersionUID = 1L;

    public StackExhaustedException(String export, Throwable cause) {
        super("call to '" + export + "' exhausted the call stack (runaway recursion in the guest?)",
                cause);
    }
}
