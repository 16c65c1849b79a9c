package dev.corral;

import java.time.Duration;

/**
 * A pool's counters, read at one moment ({@link PluginPool#stats()}).
 *
 * @param size      instances alive now (idle + borrowed)
 * @param idle      instances waiting in the pool
 * @param borrowed  leases out now
 * @param borrows   leases handed out since the pool was built
 * @param waits     borrows that had to wait for a free instance
 * @param totalWait time those borrows waited, in all
 * @param resets    returns that restored the snapshot ({@link Reset#SNAPSHOT})
 * @param discards  instances dropped instead of reused: their call trapped, timed out, ran out of
 *                  fuel or stack, exited or failed in a host function; or they belonged to a module
 *                  replaced by {@link PluginPool#replace}; or they were closed by the borrower
 * @param created   instances made since the pool was built (instantiation plus initializer)
 */
public record PoolStats(int size, int idle, int borrowed, long borrows, long waits, Duration totalWait, long resets,
        long discards, long created) {}
