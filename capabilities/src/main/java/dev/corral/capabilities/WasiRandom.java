package dev.corral.capabilities;

import dev.corral.capabilities.internal.SeededStream;
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
     * A plugin snapshot records the stream's position and a restore rewinds it, so a restored
     * plugin draws the same bytes again (a {@link #secure()} stream is never rewound).
     */
    static WasiRandom seeded(long seed) {
        return () -> new SeededStream(seed);
    }
}
