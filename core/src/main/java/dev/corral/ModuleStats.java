package dev.corral;

/**
 * What a module's instances have done, summed over the live ones and those already closed
 * (instances dropped without {@code close()} leave the sums when they are garbage-collected).
 *
 * @param instances     instances created
 * @param liveInstances instances not yet closed (pooled ones included)
 * @param calls         outermost calls into its instances
 * @param failedCalls   of those, the ones that ended with an exception
 * @param fuelConsumed  fuel charged over all those calls
 */
public record ModuleStats(long instances, long liveInstances, long calls, long failedCalls, long fuelConsumed) {}
