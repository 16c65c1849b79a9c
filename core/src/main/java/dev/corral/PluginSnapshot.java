package dev.corral;

/**
 * The complete state of one plugin instance at one moment, taken by {@link Plugin#snapshot()} and
 * put back by {@link Plugin#restore}: its memories (size and bytes), mutable globals, tables,
 * dropped segments, fuel counters, and the state of every granted capability that takes part
 * (corral-capabilities' WASI: descriptors, output buffers, random stream, virtual clock).
 *
 * <p>Immutable. A snapshot belongs to the plugin that took it and can be restored any number of
 * times, in any order with that plugin's other snapshots. Snapshots share unchanged memory with
 * each other, so taking one costs what changed since the plugin's previous snapshot.
 */
public interface PluginSnapshot {
    /** The name of the plugin this snapshot was taken from. */
    String pluginName();

    /** Size of memory 0 in pages when the snapshot was taken (0 without memory). */
    int memoryPages();
}
