package dev.corral.capabilities;

import java.security.SecureRandom;

/**
 * Where {@code random_get} gets its bytes. {@link #open} is called once per plugin instance, so a
 * seeded source gives every instance the same stream.
 */
public interface WasiRandom {
    /** One instance's stream of bytes. Used by one plugin thread at a time. */
    @FunctionalInterface
    interface Stream {
        void nextBytes(byte[] bytes);
    }

    Stream open();

    /** The JVM's {@link SecureRandom}. */
    static WasiRandom secure() {
        SecureRandom r = new SecureRandom();
        return () -> r::nextBytes;
    }

    /**
     * A deterministic stream (SplitMix64 over {@code seed}): identical bytes on every run, JVM and
     * platform. NOT suitable for anything secret; meant for reproducible tests and simulations.
     */
    static WasiRandom seeded(long seed) {
        return () -> new Stream() {
            private long state = seed;

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
        };
    }
}
