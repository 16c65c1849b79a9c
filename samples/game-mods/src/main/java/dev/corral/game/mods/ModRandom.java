package dev.corral.game.mods;

import dev.corral.capabilities.WasiRandom;
import dev.corral.game.Rng;

/**
 * A mod's WASI randomness ({@code random_get}, e.g. wasi-libc's {@code arc4random}): a SplitMix64
 * stream from the game's seed and the mod's name, which the host saves at the start of each tick
 * and puts back when the tick is rolled back.
 */
final class ModRandom implements WasiRandom {
    private final Rng rng;
    private long saved;

    ModRandom(long seed) {
        this.rng = new Rng(seed);
    }

    @Override
    public Stream open() {
        return bytes -> {
            for (int i = 0; i < bytes.length; i += 8) {
                long z = rng.nextLong();
                for (int j = 0; j < 8 && i + j < bytes.length; j++) {
                    bytes[i + j] = (byte) (z >>> (8 * j));
                }
            }
        };
    }

    void save() {
        saved = rng.state();
    }

    void restore() {
        rng.state(saved);
    }
}
