package dev.corral;

/**
 * A module could not be turned into a {@link PluginModule}: its bytes are not wasm, it does not
 * validate, it cannot be read, its digest is not the expected one, or it cannot be linked.
 */
public class ModuleLoadException extends CorralException {
    private static final long serialVersionUID = 1L;

    /** Why a load failed; the CLI maps these to exit codes. */
    public enum Reason {
        /** Not a wasm binary, or a truncated / corrupt one. */
        MALFORMED,
        /** Well-formed but fails validation (type errors, bad indices ...). */
        INVALID,
        /** Imports that nothing provides, or provides with another type. */
        UNLINKABLE,
        /** The bytes could not be read (missing file, I/O error). */
        UNREADABLE,
        /** The SHA-256 of the bytes is not the one the host expected. */
        DIGEST_MISMATCH,
        /**
         * The module asks for more than the policy allows (e.g. initial memory over the limit), or
         * loading it needs more heap than the JVM has.
         */
        LIMITS,
        /** The module uses a construct Corral cannot run safely (e.g. cannot be instrumented). */
        UNSUPPORTED
    }

    private final Reason reason;

    public ModuleLoadException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ModuleLoadException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
