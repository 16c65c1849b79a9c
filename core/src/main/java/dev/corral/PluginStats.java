package dev.corral;

/**
 * What one plugin instance has done since it was instantiated. Counters only grow: a restore or a
 * pool reset does not take them back. Read from another thread while the plugin runs, they may lag
 * by the calls in flight.
 *
 * @param calls        outermost calls into the plugin (host→guest; guest→host→guest re-entry not counted)
 * @param failedCalls  of those, the ones that ended with an exception (trap, timeout, fuel, stack, exit, host function)
 * @param fuelConsumed fuel charged over all those calls; 0 when the policy sets no fuel
 */
public record PluginStats(long calls, long failedCalls, long fuelConsumed) {}
