package dev.corral.game.mods;

/**
 * The game's side of one mod's tick: everything the mod changes through its API object between
 * {@link #begin} and {@link #commit} must be undone by {@link #rollback}, so that a tick the mod
 * does not finish leaves no trace in the world.
 */
public interface TickScope {
    void begin(long tick);

    void commit();

    void rollback();
}
