package dev.corral;

/**
 * A host function was handed a pointer or length by the guest that does not fit in the guest's
 * memory, or bytes that do not decode. The guest's call is abandoned; the host is unharmed.
 */
public final class GuestMemoryException extends CorralException {
    private static final long serialVersionUID = 1L;

    public GuestMemoryException(String message) {
        super(message);
    }
}
