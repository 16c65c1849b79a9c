package dev.corral;

import java.time.Duration;

/** No pooled instance became free within the pool's borrow timeout. */
public final class PoolExhaustedException extends CorralException {
    private static final long serialVersionUID = 1L;
    private final Duration waited;

    public PoolExhaustedException(String pool, int maxSize, Duration waited) {
        super("pool '" + pool + "' has all " + maxSize + " instances borrowed and none came back within "
                + Durations.format(waited) + ": raise PluginPool.Builder.maxSize or borrowTimeout, or return leases sooner");
        this.waited = waited;
    }

    /** How long the borrower waited before giving up. */
    public Duration waited() {
        return waited;
    }
}
