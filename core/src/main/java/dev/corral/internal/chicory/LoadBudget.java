package dev.corral.internal.chicory;

import dev.corral.ModuleLoadException;
import java.time.Duration;

/**
 * The time one load may take ({@link dev.corral.LoadLimits#maxCompileTime()}), checked between
 * the steps of a load. A step of Chicory's own (parsing, compiling) cannot be interrupted, so the
 * check comes after it: the load fails as soon as a step ends past the deadline, and no further
 * step starts.
 */
final class LoadBudget {
    private final String module;
    private final Duration limit;
    private final long deadline;

    LoadBudget(String module, Duration limit) {
        this.module = module;
        this.limit = limit;
        long nanos;
        try {
            nanos = limit.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 2;
        }
        this.deadline = System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 2);
    }

    /** Throws {@code LIMITS} when the load is past its deadline; {@code done} names the step just finished. */
    void check(String done) {
        if (System.nanoTime() - deadline > 0) {
            throw new ModuleLoadException(ModuleLoadException.Reason.LIMITS, "loading module '" + module + "' took longer than "
                    + limit.toMillis() + " ms (stopped after " + done + "): raise LoadLimits.maxCompileTime if the module is trusted");
        }
    }
}
