package dev.corral.game;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

/**
 * The simulation: creatures on a grid that forage and breed. Integer maths only and one seeded
 * random stream, consumed in a fixed order, so a seed fixes every tick on every JVM.
 *
 * <p>Rules, each tick ({@link #step}): food grows on random cells; then every creature, in id
 * order, ages, spends one energy, moves to the neighbouring free cell with the most food (ties
 * broken at random, staying put included), eats up to 3 food (2 energy each), breeds into a free
 * neighbouring cell when it has 40 energy and is 8 ticks old (halving its energy), and dies at 0
 * energy or age 250, leaving food behind.
 *
 * <p>Changes made while a mod plays go through a journal ({@link #savepoint()}), so that a tick
 * the mod does not finish is undone exactly.
 */
public final class World {
    public static final int MANA_PER_TICK = 12;
    public static final int SPAWN_ENERGY = 20;
    public static final int MAX_FOOD = 9;
    public static final int MAX_ENERGY = 60;
    static final int BREED_ENERGY = 40;
    static final int BREED_AGE = 8;
    static final int OLD_AGE = 250;

    /** One creature; fields change only through the world's methods (which journal them). */
    public static final class Creature {
        final int id;
        int x;
        int y;
        int energy;
        int age;
        final int owner;

        Creature(int id, int x, int y, int energy, int age, int owner) {
            this.id = id;
            this.x = x;
            this.y = y;
            this.energy = energy;
            this.age = age;
            this.owner = owner;
        }

        public int id() {
            return id;
        }

        public int x() {
            return x;
        }

        public int y() {
            return y;
        }

        public int energy() {
            return energy;
        }

        public int age() {
            return age;
        }

        public int owner() {
            return owner;
        }
    }

    private final int width;
    private final int height;
    private final byte[] food;
    private final int[] occupant;
    private final TreeMap<Integer, Creature> creatures = new TreeMap<>();
    private final Rng rng;
    private int nextId = 1;
    private long tick;
    /** Undo actions of the open savepoint, newest first; null when no savepoint is open. */
    private Deque<Runnable> journal;

    public World(int width, int height, long seed) {
        if (width < 4 || height < 4 || (long) width * height > 1 << 20) {
            throw new IllegalArgumentException("world size " + width + "x" + height + " out of range (4..1M cells)");
        }
        this.width = width;
        this.height = height;
        this.food = new byte[width * height];
        this.occupant = new int[width * height];
        this.rng = new Rng(Rng.derive(seed, "world"));
        for (int i = 0; i < food.length; i++) {
            food[i] = (byte) rng.nextInt(4);
        }
        int population = Math.max(4, width * height / 32);
        for (int i = 0; i < population; i++) {
            int cell = rng.nextInt(food.length);
            if (occupant[cell] == 0) {
                add(cell % width, cell / width, SPAWN_ENERGY, rng.nextInt(50), 0);
            }
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public long tick() {
        return tick;
    }

    /** Starts tick {@code t}: mods play it, then {@link #step()} runs the rules. */
    public void beginTick(long t) {
        this.tick = t;
    }

    public boolean inside(int x, int y) {
        return x >= 0 && y >= 0 && x < width && y < height;
    }

    public int food(int x, int y) {
        return food[y * width + x];
    }

    /** Creature id on a cell, 0 if none. */
    public int occupant(int x, int y) {
        return occupant[y * width + x];
    }

    public Creature creature(int id) {
        return creatures.get(id);
    }

    public Collection<Creature> creatures() {
        return creatures.values();
    }

    public int population() {
        return creatures.size();
    }

    /** The id of the index-th creature in id order, 0 when out of range. */
    public int creatureId(int index) {
        if (index < 0 || index >= creatures.size()) {
            return 0;
        }
        // id order walk; worlds are small and mods ask in order, so a cursor is enough
        if (cursorIndex > index || cursorId == 0 || creatures.get(cursorId) == null || cursorVersion != version) {
            cursorIndex = 0;
            cursorId = creatures.firstKey();
            cursorVersion = version;
        }
        while (cursorIndex < index) {
            cursorId = creatures.higherKey(cursorId);
            cursorIndex++;
        }
        return cursorId;
    }

    private int cursorIndex;
    private int cursorId;
    private long version;
    private long cursorVersion = -1;

    public int totalFood() {
        int n = 0;
        for (byte f : food) {
            n += f;
        }
        return n;
    }

    // ---- changes (journaled while a savepoint is open) ----

    public void setFood(int x, int y, int amount) {
        int cell = y * width + x;
        byte old = food[cell];
        food[cell] = (byte) Math.max(0, Math.min(MAX_FOOD, amount));
        undo(() -> food[cell] = old);
    }

    public Creature add(int x, int y, int energy, int age, int owner) {
        int id = nextId++;
        var c = new Creature(id, x, y, energy, age, owner);
        creatures.put(id, c);
        occupant[y * width + x] = id;
        version++;
        undo(() -> {
            creatures.remove(id);
            occupant[y * width + x] = 0;
            nextId = id;
            version++;
        });
        return c;
    }

    public void remove(Creature c) {
        creatures.remove(c.id);
        occupant[c.y * width + c.x] = 0;
        version++;
        undo(() -> {
            creatures.put(c.id, c);
            occupant[c.y * width + c.x] = c.id;
            version++;
        });
    }

    public void moveTo(Creature c, int x, int y) {
        int ox = c.x;
        int oy = c.y;
        occupant[oy * width + ox] = 0;
        occupant[y * width + x] = c.id;
        c.x = x;
        c.y = y;
        undo(() -> {
            occupant[y * width + x] = 0;
            occupant[oy * width + ox] = c.id;
            c.x = ox;
            c.y = oy;
        });
    }

    public void setEnergy(Creature c, int energy) {
        int old = c.energy;
        c.energy = Math.max(0, Math.min(MAX_ENERGY, energy));
        undo(() -> c.energy = old);
    }

    private void undo(Runnable r) {
        if (journal != null) {
            journal.push(r);
        }
    }

    /** The way back to now: everything changed until {@link Savepoint#commit()} can be undone. */
    public Savepoint savepoint() {
        if (journal != null) {
            throw new IllegalStateException("a savepoint is already open");
        }
        journal = new ArrayDeque<>();
        return new Savepoint();
    }

    /** An open savepoint of this world. */
    public final class Savepoint {
        private Savepoint() {}

        /** Undoes every change since the savepoint, newest first. */
        public void rollback() {
            Deque<Runnable> j = journal;
            journal = null;
            while (!j.isEmpty()) {
                j.pop().run();
            }
        }

        /** Keeps the changes. */
        public void commit() {
            journal = null;
        }
    }

    // ---- the rules ----

    private static final int[] DX = {0, 1, 0, -1, 0};
    private static final int[] DY = {-1, 0, 1, 0, 0};

    /** Runs the rules once (never journaled: only mods' changes are ever undone). */
    public void step() {
        if (journal != null) {
            throw new IllegalStateException("step() inside a savepoint");
        }
        int growth = Math.max(1, width * height / 24);
        for (int i = 0; i < growth; i++) {
            int cell = rng.nextInt(food.length);
            if (food[cell] < MAX_FOOD) {
                food[cell]++;
            }
        }
        List<Integer> ids = new ArrayList<>(creatures.keySet());
        int[] best = new int[5];
        for (int id : ids) {
            Creature c = creatures.get(id);
            if (c == null) {
                continue;
            }
            c.age++;
            c.energy--;
            // move: the free neighbour (or the own cell) with the most food, ties at random
            int n = 0;
            int top = -1;
            for (int d = 0; d < 5; d++) {
                int nx = c.x + DX[d];
                int ny = c.y + DY[d];
                if (!inside(nx, ny) || (d < 4 && occupant[ny * width + nx] != 0)) {
                    continue;
                }
                int f = food[ny * width + nx];
                if (f > top) {
                    top = f;
                    n = 0;
                }
                if (f == top) {
                    best[n++] = d;
                }
            }
            int d = best[n == 1 ? 0 : rng.nextInt(n)];
            if (d < 4) {
                moveTo(c, c.x + DX[d], c.y + DY[d]);
            }
            int cell = c.y * width + c.x;
            int eat = Math.min(food[cell], 3);
            food[cell] -= eat;
            c.energy = Math.min(MAX_ENERGY, c.energy + 2 * eat);
            if (c.energy >= BREED_ENERGY && c.age >= BREED_AGE) {
                int start = rng.nextInt(4);
                for (int k = 0; k < 4; k++) {
                    int dd = (start + k) % 4;
                    int nx = c.x + DX[dd];
                    int ny = c.y + DY[dd];
                    if (inside(nx, ny) && occupant[ny * width + nx] == 0) {
                        int child = c.energy / 2;
                        c.energy -= child;
                        add(nx, ny, child, 0, c.owner);
                        break;
                    }
                }
            }
            if (c.energy <= 0 || c.age >= OLD_AGE) {
                remove(c);
                food[cell] = (byte) Math.min(MAX_FOOD, food[cell] + 3);
            }
        }
    }

    // ---- state digest ----

    /** Feeds the whole state, canonically, into {@code md}. */
    public void digest(MessageDigest md) {
        var b = ByteBuffer.allocate(40);
        b.putInt(width).putInt(height).putLong(tick).putLong(rng.state()).putInt(nextId).putInt(creatures.size());
        md.update(b.array(), 0, b.position());
        md.update(food);
        var cb = ByteBuffer.allocate(24);
        for (Creature c : creatures.values()) {
            cb.clear();
            cb.putInt(c.id).putInt(c.x).putInt(c.y).putInt(c.energy).putInt(c.age).putInt(c.owner);
            md.update(cb.array());
        }
    }
}
