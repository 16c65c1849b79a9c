package dev.corral.game.mods;

/** What the mod host tells the game as it runs; every method has a no-op default. Called on the game thread. */
public interface ModEvents {
    /** A log line from a mod (its API's log, corral_log, console.*, stdout/stderr); {@code rolledBack} if its tick failed. */
    default void log(long tick, String mod, String line, boolean rolledBack) {}

    /** A mod was loaded (at start or by a reload). */
    default void loaded(String mod, String sha256) {}

    /** A mod (or a new version of it) was refused; the old version, if any, keeps running. */
    default void refused(String mod, String reason) {}

    /** A mod's tick failed and was rolled back; {@code disabled} when it was its last allowed fault. */
    default void fault(long tick, String mod, Fault kind, String message, boolean disabled) {}
}
