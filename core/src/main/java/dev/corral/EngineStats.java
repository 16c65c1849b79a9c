package dev.corral;

import java.time.Duration;

/**
 * Counters of an engine since it was built: what a metrics binder exports (site/observability.md
 * shows a Micrometer binder in ten lines).
 *
 * @param modulesLoaded modules successfully loaded
 * @param compilations  module variants translated to bytecode (cache misses in compiled mode)
 * @param cacheHits     compiled module variants taken from the compile cache
 * @param compileTime   time spent compiling and loading compiled code, cache hits included
 * @param instances     plugin instances created
 * @param liveInstances instances not yet closed
 * @param calls         outermost calls into the engine's plugins
 * @param failedCalls   of those, the ones that ended with an exception
 * @param fuelConsumed  fuel charged over all those calls
 */
public record EngineStats(long modulesLoaded, long compilations, long cacheHits, Duration compileTime, long instances,
        long liveInstances, long calls, long failedCalls, long fuelConsumed) {}
