package dev.corral.game;

/**
 * SplitMix64: small, fast, and the same numbers on every JVM. Its whole state is one long, so a
 * tick that is rolled back can put a stream back exactly.
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** A seed for a named sub-stream: the game's seed mixed with the name (FNV-1a, then one SplitMix step). */
    public static long derive(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++) {
            h ^= name.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(seed ^ h);
    }

    public long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    /** Uniform in [0, bound); 0 if bound <= 0. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            return 0;
        }
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    public long state() {
        return state;
    }

    public void state(long s) {
        this.state = s;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
