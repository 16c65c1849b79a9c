package dev.corral.bindings;

import dev.corral.CorralException;

/**
 * A plugin broke the Corral guest ABI (guest-sdks/ABI.md): it was built for another ABI version,
 * lacks the allocator or an export with the expected signature, or its allocator returned a
 * pointer that is null or outside its memory. The call (or the binding) is refused; the host is
 * unharmed.
 */
public final class AbiException extends CorralException {
    private static final long serialVersionUID = 1L;

    public AbiException(String message) {
        super(message);
    }
}
