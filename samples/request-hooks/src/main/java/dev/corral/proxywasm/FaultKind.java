package dev.corral.proxywasm;

/** Why a filter's callback did not complete. Each kind can have its own {@link FailStrategy}. */
public enum FaultKind {
    /** A wasm trap: unreachable (a Rust panic, an AssemblyScript abort), out-of-bounds access ... */
    TRAP,
    /** The callback ran past the filter's timeout. */
    TIMEOUT,
    /** The callback used up its fuel. */
    FUEL,
    /**
     * The filter failed at its memory limit: a trap or abort with its memory grown to within 1/16
     * of the maximum (a failed {@code memory.grow} itself is not visible to the host).
     */
    MEMORY,
    /** Runaway recursion exhausted the call stack. */
    STACK,
    /** The filter ended itself ({@code proc_exit}, as AssemblyScript's abort does). */
    EXIT,
    /** A host function failed on the filter's behalf (a bug or a limit in the host). */
    HOST,
    /** The filter paused the stream and nothing resumed it before the end of the stream. */
    STALLED,
    /** A VM could not be started: {@code proxy_on_vm_start} or {@code proxy_on_configure} failed. */
    START,
    /** Every VM of the filter was busy for longer than the borrow timeout. */
    OVERLOADED
}
