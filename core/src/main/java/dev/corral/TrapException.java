package dev.corral;

import java.util.Optional;

/**
 * The guest executed an instruction that traps: the call is over, the instance is still
 * consistent (wasm traps are precise) and may be called again.
 */
public final class TrapException extends CorralException {
    private static final long serialVersionUID = 1L;

    /** What kind of trap; stable across runtime versions, unlike messages. */
    public enum Kind {
        UNREACHABLE,
        MEMORY_OUT_OF_BOUNDS,
        TABLE_OUT_OF_BOUNDS,
        INTEGER_DIVIDE_BY_ZERO,
        INTEGER_OVERFLOW,
        INVALID_CONVERSION_TO_INTEGER,
        INDIRECT_CALL_TYPE_MISMATCH,
        UNINITIALIZED_ELEMENT,
        NULL_REFERENCE,
        UNCAUGHT_EXCEPTION,
        /** An atomic access at an address that is not a multiple of its size. */
        UNALIGNED_ATOMIC,
        OTHER
    }

    private final Kind kind;
    private final String function;

    public TrapException(Kind kind, String function, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.function = function;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The wasm function the trap happened in: its name from the module's name section when the
     * module has one, else {@code func[N]}; empty when the runtime could not tell.
     */
    public Optional<String> function() {
        return Optional.ofNullable(function);
    }
}
