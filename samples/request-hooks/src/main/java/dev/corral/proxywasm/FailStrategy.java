package dev.corral.proxywasm;

/**
 * What happens to a request when its filter faults (traps, times out, runs out of fuel ...), like
 * Istio's {@code failStrategy}. Either way the faulted VM is thrown away and replaced, and the
 * service keeps serving.
 */
public enum FailStrategy {
    /** The request fails with a 500 local reply; nothing of it reaches the upstream. The default. */
    FAIL_CLOSED,
    /** The request goes on as if this filter were not there (the later filters still run). */
    FAIL_OPEN
}
