package dev.corral.capabilities.internal;

import dev.corral.capabilities.WasiRandom;

/** {@code WasiRandom.seeded}: SplitMix64, whose whole state is one long, so a snapshot is one long too. */
public final class SeededStream implements WasiRandom.Stream {
    private long state;

    public SeededStream(long seed) {
        this.state = seed;
    }

    public long state() {
        return state;
    }

    public void state(long s) {
        state = s;
    }

    @Override
    public void nextBytes(byte[] bytes) {
        for (int i = 0; i < bytes.length; i += 8) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            for (int j = 0; j < 8 && i + j < bytes.length; j++) {
                bytes[i + j] = (byte) (z >>> (8 * j));
            }
        }
    }
}
