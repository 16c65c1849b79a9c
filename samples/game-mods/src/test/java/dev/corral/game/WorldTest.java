package dev.corral.game;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WorldTest {
    static String digest(World w) {
        try {
            var md = MessageDigest.getInstance("SHA-256");
            w.digest(md);
            return HexFormat.of().formatHex(md.digest());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static World played(long seed, int ticks) {
        var w = new World(48, 20, seed);
        for (int t = 1; t <= ticks; t++) {
            w.beginTick(t);
            w.step();
        }
        return w;
    }

    static int[] freeCell(World w) {
        for (int y = 0; y < w.height(); y++) {
            for (int x = 0; x < w.width(); x++) {
                if (w.occupant(x, y) == 0) {
                    return new int[] {x, y};
                }
            }
        }
        throw new AssertionError("no free cell");
    }

    @Test
    void aSeedFixesEveryTick() {
        assertEquals(digest(played(7, 150)), digest(played(7, 150)));
        assertNotEquals(digest(played(7, 150)), digest(played(8, 150)));
        assertNotEquals(digest(played(7, 150)), digest(played(7, 151)));
    }

    @Test
    void theHerdsLiveOnWithoutMods() {
        var w = played(42, 400);
        assertTrue(w.population() > 10, "population " + w.population());
        assertTrue(w.population() < 48 * 20, "population " + w.population());
    }

    @Test
    void aSavepointUndoesEveryKindOfChangeExactly() {
        var w = played(3, 40);
        String before = digest(w);
        int pop = w.population();
        var sp = w.savepoint();
        var first = w.creatures().iterator().next();
        int[] free = freeCell(w);
        var spawned = w.add(free[0], free[1], 10, 0, 1);
        w.setEnergy(first, 59);
        w.setFood(5, 5, 9);
        for (int x = 0; x < 48; x++) {
            if (w.occupant(x, 19) == 0) {
                w.moveTo(spawned, x, 19);
                break;
            }
        }
        w.remove(first);
        free = freeCell(w);
        w.add(free[0], free[1], 5, 0, 2);
        assertNotEquals(before, digest(w));
        sp.rollback();
        assertEquals(before, digest(w));
        assertEquals(pop, w.population());
        // and the world plays on exactly as if nothing happened
        var twin = played(3, 40);
        for (int t = 41; t <= 60; t++) {
            w.beginTick(t);
            w.step();
            twin.beginTick(t);
            twin.step();
        }
        assertEquals(digest(twin), digest(w));

        var kept = w.savepoint();
        w.setFood(2, 2, 7);
        kept.commit();
        assertEquals(7, w.food(2, 2));
    }
}
