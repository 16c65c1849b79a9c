package dev.corral.spi;

/**
 * What a host function can see of the plugin that called it. One object per plugin instance,
 * handed to every host call (no allocation per call). Valid only during the call.
 */
public interface HostContext {
    /** The calling plugin's name (its module's name). */
    String pluginName();

    /** The calling plugin's memory 0; every access is bounds-checked. */
    GuestMemory memory();

    /**
     * An export of the calling plugin, for host functions that must call back into it (e.g. the
     * guest's allocator, to hand it a result). Re-entry happens on the calling thread, inside the
     * running call's deadline.
     *
     * @throws IllegalArgumentException if the plugin exports no function of that name
     */
    dev.corral.PluginFunction function(String export);

    /**
     * Nanoseconds left before the running call's deadline ({@code PluginPolicy.timeout}), 0 when
     * it has passed, {@link Long#MAX_VALUE} when the call has none. A host function that waits
     * (a sleep, a poll) waits at most this long, then asks again: the deadline is armed without
     * reading the clock, and its clock starts when the watchdog first sees the call (within ~1 ms),
     * so the first answer may be up to that much short of when the deadline fires. Wait in a loop
     * until this reads 0 or {@link #checkDeadline()} throws.
     */
    default long nanosLeft() {
        return Long.MAX_VALUE;
    }

    /**
     * Throws {@link dev.corral.CallTimeoutException} when the running call has passed its
     * deadline. A host function doing long work (copying many buffers, writing many chunks) calls
     * it between chunks, so the call stops at its deadline instead of finishing late: the
     * watchdog's interrupt alone does not stop Java code that does not check for it.
     */
    default void checkDeadline() {}
}
