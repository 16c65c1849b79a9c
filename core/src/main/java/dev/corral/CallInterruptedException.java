package dev.corral;

/**
 * The calling thread was interrupted (by the host, not by a Corral timeout) while the guest ran:
 * the call was abandoned. The thread's interrupt status is left set, as Java convention asks.
 */
public final class CallInterruptedException extends CorralException {
    private static final long serialVersionUID = 1L;

    public CallInterruptedException(String export) {
        super("call to '" + export + "' was abandoned because the calling thread was interrupted");
    }
}
