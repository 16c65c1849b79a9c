package dev.corral.game.mods;

/** What a game's API object knows about the mod it serves. */
public interface ModContext {
    /** The mod's name: its file name without {@code .wasm} / {@code .js}. */
    String name();

    /** A small positive number, 1 for the first mod by name: the mod's mark on things it owns. */
    int tag();

    /** A line in the game's log, attributed to this mod and its tick (rate-limited per tick). */
    void log(String message);
}
