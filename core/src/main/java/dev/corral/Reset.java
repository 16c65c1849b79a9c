package dev.corral;

/** What a {@link PluginPool} does to an instance when a lease returns it. */
public enum Reset {
    /**
     * Restore the snapshot taken right after instantiation and the pool's initializer: every
     * borrow sees exactly that state (memory, globals, tables, fuel counters, capability state).
     * The cost is proportional to what the previous borrower changed. The default.
     */
    SNAPSHOT,
    /**
     * Hand the instance out again as it is, for hosts that want warm state across borrows (caches
     * built by earlier calls). A lease whose call failed is still never reused.
     */
    NONE
}
