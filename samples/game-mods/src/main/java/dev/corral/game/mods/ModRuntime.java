package dev.corral.game.mods;

import dev.corral.PluginSnapshot;

/** A loaded mod, wasm or JavaScript, as the host drives it. Confined to the game thread. */
interface ModRuntime extends AutoCloseable {
    /** Plays one tick; any exception is the mod's fault. */
    void tick(long tick);

    PluginSnapshot snapshot();

    void restore(PluginSnapshot snapshot);

    /** The instance's running fuel total (a restore puts it back too: read it first). */
    long fuelTotal();

    @Override
    void close();
}
