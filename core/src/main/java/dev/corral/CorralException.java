package dev.corral;

/**
 * Root of every exception Corral throws. Unchecked, so that a plugin call reads like a local call,
 * but every failure has its own subtype: catch the one you can act on.
 *
 * <p>No exception of the underlying runtime (Chicory) ever escapes Corral's API: it is mapped to a
 * subtype of this class and, where it helps debugging, kept as the cause.
 */
public class CorralException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorralException(String message) {
        super(message);
    }

    public CorralException(String message, Throwable cause) {
        super(message, cause);
    }
}
