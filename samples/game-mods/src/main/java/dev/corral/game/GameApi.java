package dev.corral.game;

import dev.corral.bindings.HostFunction;
import dev.corral.bindings.HostModule;

/**
 * What a mod may do: query the world, act on creatures, log. One interface for every language:
 * wasm mods import it as module {@code game} (C, Rust and AssemblyScript declarations are
 * generated from it: {@code game.h}, {@code game.rs}, {@code game.ts}), JavaScript mods call it as
 * the global object {@code game} with the Java method names ({@code game.creatureCount()}).
 *
 * <p>Coordinates are cells, {@code 0 <= x < width()}, {@code 0 <= y < height()}; creature ids are
 * positive. Queries about something that does not exist answer -1 (0 for an id). Actions cost
 * mana, {@value World#MANA_PER_TICK} per mod per tick; an action the mod cannot afford, or that
 * makes no sense, does nothing and answers false (or 0). Everything a mod does in a tick is undone
 * if the tick fails.
 */
@HostModule("game")
public interface GameApi {
    // ---- the world ----

    /** The tick being played, from 1. */
    @HostFunction
    long tick();

    @HostFunction
    int width();

    @HostFunction
    int height();

    /** Food on a cell (0..9), -1 outside the world. */
    @HostFunction
    int food(int x, int y);

    /** The creature on a cell, 0 if none, -1 outside the world. */
    @HostFunction
    int creatureAt(int x, int y);

    /** Living creatures. */
    @HostFunction
    int creatureCount();

    /** The id of the {@code index}-th living creature in id order, 0 when out of range. */
    @HostFunction
    int creatureId(int index);

    @HostFunction
    int creatureX(int id);

    @HostFunction
    int creatureY(int id);

    @HostFunction
    int creatureEnergy(int id);

    /** Who a creature belongs to: 0 wild, else the owning mod's tag; -1 if no such creature. */
    @HostFunction
    int creatureOwner(int id);

    /** This mod's tag (1 for the first mod by name, 2 for the next ...). */
    @HostFunction
    int self();

    /** Mana this mod has left in this tick. */
    @HostFunction
    int mana();

    /** A number in [0, bound) from this mod's own seeded stream (seed + mod name); 0 if bound <= 0. */
    @HostFunction
    int random(int bound);

    // ---- actions ----

    /** Adds food to a cell (at most 9 there); costs {@code amount} mana. */
    @HostFunction
    boolean plant(int x, int y, int amount);

    /** A new creature of this mod on a free cell, with {@value World#SPAWN_ENERGY} energy; costs 6 mana. Its id, or 0. */
    @HostFunction
    int spawn(int x, int y);

    /** Moves one of this mod's creatures one cell (|dx| + |dy| == 1) to a free cell; costs 1 mana. */
    @HostFunction
    boolean move(int id, int dx, int dy);

    /** Gives a creature energy; costs {@code amount} mana. */
    @HostFunction
    boolean feed(int id, int amount);

    /** Kills a creature (its body becomes food); costs 8 mana. */
    @HostFunction
    boolean smite(int id);

    /** A line in the game's log, attributed to this mod (at most 20 per tick, 500 characters each). */
    @HostFunction
    void log(String message);
}
