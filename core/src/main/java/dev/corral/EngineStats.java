package dev.corral;

/**
 * Counters of an engine since it was built.
 *
 * @param modulesLoaded modules successfully loaded
 * @param compilations  modules translated to bytecode (cache misses in compiled mode)
 * @param cacheHits     compiled modules taken from the compile cache
 * @param instances     plugin instances created
 */
public record EngineStats(long modulesLoaded, long compilations, long cacheHits, long instances) {}
