package dev.corral;

/** How a module's code runs. */
public enum ExecutionMode {
    /**
     * Translated to JVM bytecode once at load (Chicory's runtime compiler), then JIT-compiled by
     * the JVM: ~100x faster compute, a few ms (or a cache hit) to load. The default.
     */
    COMPILED,
    /**
     * Chicory's interpreter: loads instantly, runs slowly. For tools, tiny modules, and modules
     * the compiler cannot handle.
     */
    INTERPRETED
}
