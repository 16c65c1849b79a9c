package dev.corral;

/**
 * The call was abandoned before it finished: the calling thread was interrupted by the host (not
 * by a Corral timeout), and its interrupt status is left set, as Java convention asks; or the
 * {@link Corral} engine was closed while the call ran ({@link Corral#close()} stops every call
 * running under a timeout), and the thread's interrupt status is what it was before the call.
 */
public final class CallInterruptedException extends CorralException {
    private static final long serialVersionUID = 1L;

    public CallInterruptedException(String export) {
        super("call to '" + export + "' was abandoned because the calling thread was interrupted");
    }

    /** The call was stopped for {@code reason}, e.g. "the Corral engine was closed". */
    public CallInterruptedException(String export, String reason) {
        super("call to '" + export + "' was stopped: " + reason);
    }
}
