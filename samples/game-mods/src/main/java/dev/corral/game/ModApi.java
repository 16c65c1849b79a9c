package dev.corral.game;

import dev.corral.game.mods.ModContext;
import dev.corral.game.mods.TickScope;

/**
 * {@link GameApi} for one mod: it knows which mod calls (its tag owns the creatures it spawns),
 * spends that mod's mana, draws from that mod's random stream, and opens a world savepoint for
 * each of the mod's ticks so that a failed tick leaves no trace.
 */
public final class ModApi implements GameApi, TickScope {
    private static final int SPAWN_COST = 6;
    private static final int SMITE_COST = 8;

    private final World world;
    private final ModContext mod;
    private final Rng random;
    private int mana;
    private World.Savepoint savepoint;
    private long randomAtStart;

    public ModApi(World world, ModContext mod, long seed) {
        this.world = world;
        this.mod = mod;
        this.random = new Rng(Rng.derive(seed, "game.random:" + mod.name()));
    }

    // ---- the tick's transaction ----

    @Override
    public void begin(long tick) {
        mana = World.MANA_PER_TICK;
        randomAtStart = random.state();
        savepoint = world.savepoint();
    }

    @Override
    public void commit() {
        savepoint.commit();
        savepoint = null;
    }

    @Override
    public void rollback() {
        savepoint.rollback();
        savepoint = null;
        random.state(randomAtStart);
    }

    private boolean spend(int cost) {
        if (savepoint == null || cost < 0 || cost > mana) {
            return false; // outside its tick (on_load) a mod may look, not touch
        }
        mana -= cost;
        return true;
    }

    // ---- queries ----

    @Override
    public long tick() {
        return world.tick();
    }

    @Override
    public int width() {
        return world.width();
    }

    @Override
    public int height() {
        return world.height();
    }

    @Override
    public int food(int x, int y) {
        return world.inside(x, y) ? world.food(x, y) : -1;
    }

    @Override
    public int creatureAt(int x, int y) {
        return world.inside(x, y) ? world.occupant(x, y) : -1;
    }

    @Override
    public int creatureCount() {
        return world.population();
    }

    @Override
    public int creatureId(int index) {
        return world.creatureId(index);
    }

    @Override
    public int creatureX(int id) {
        var c = world.creature(id);
        return c == null ? -1 : c.x();
    }

    @Override
    public int creatureY(int id) {
        var c = world.creature(id);
        return c == null ? -1 : c.y();
    }

    @Override
    public int creatureEnergy(int id) {
        var c = world.creature(id);
        return c == null ? -1 : c.energy();
    }

    @Override
    public int creatureOwner(int id) {
        var c = world.creature(id);
        return c == null ? -1 : c.owner();
    }

    @Override
    public int self() {
        return mod.tag();
    }

    @Override
    public int mana() {
        return savepoint == null ? 0 : mana;
    }

    @Override
    public int random(int bound) {
        return random.nextInt(bound);
    }

    // ---- actions ----

    @Override
    public boolean plant(int x, int y, int amount) {
        if (!world.inside(x, y) || amount <= 0 || world.food(x, y) >= World.MAX_FOOD || !spend(amount)) {
            return false;
        }
        world.setFood(x, y, world.food(x, y) + amount);
        return true;
    }

    @Override
    public int spawn(int x, int y) {
        if (!world.inside(x, y) || world.occupant(x, y) != 0 || !spend(SPAWN_COST)) {
            return 0;
        }
        return world.add(x, y, World.SPAWN_ENERGY, 0, mod.tag()).id();
    }

    @Override
    public boolean move(int id, int dx, int dy) {
        var c = world.creature(id);
        if (c == null || c.owner() != mod.tag() || Math.abs(dx) + Math.abs(dy) != 1) {
            return false;
        }
        int nx = c.x() + dx;
        int ny = c.y() + dy;
        if (!world.inside(nx, ny) || world.occupant(nx, ny) != 0 || !spend(1)) {
            return false;
        }
        world.moveTo(c, nx, ny);
        return true;
    }

    @Override
    public boolean feed(int id, int amount) {
        var c = world.creature(id);
        if (c == null || amount <= 0 || c.energy() >= World.MAX_ENERGY || !spend(amount)) {
            return false;
        }
        world.setEnergy(c, c.energy() + amount);
        return true;
    }

    @Override
    public boolean smite(int id) {
        var c = world.creature(id);
        if (c == null || !spend(SMITE_COST)) {
            return false;
        }
        world.remove(c);
        world.setFood(c.x(), c.y(), world.food(c.x(), c.y()) + 3);
        return true;
    }

    @Override
    public void log(String message) {
        mod.log(message);
    }
}
