package dev.corral.capabilities;

import dev.corral.capabilities.internal.SystemClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The time a plugin sees, for both WASI clocks: realtime (nanoseconds since the Unix epoch) and
 * monotonic (nanoseconds since an arbitrary origin). The CPU-time clocks read the monotonic one,
 * so no host CPU usage leaks. Implementations must be thread-safe.
 */
public interface WasiClock {
    long realtimeNanos();

    long monotonicNanos();

    /**
     * How a guest's sleep ({@code poll_oneoff} on a clock) passes. The system clock really waits
     * (Corral bounds the wait by the call's deadline); fixed and virtual clocks return at once
     * (their time moves only when the host says so).
     */
    default void sleepNanos(long nanos) throws InterruptedException {}

    /**
     * The host's clocks: {@code Instant.now()} and {@code System.nanoTime()}. Always the same
     * object: a plugin granted this clock also sees file timestamps as they are (with any other
     * clock, or none, they read 0, so the host's time does not leak through them).
     */
    static WasiClock system() {
        return SystemClock.INSTANCE;
    }

    /** Always {@code instant}; the monotonic clock stays at 0. For reproducible runs. */
    static WasiClock fixed(Instant instant) {
        long nanos = toNanos(instant);
        return new WasiClock() {
            @Override
            public long realtimeNanos() {
                return nanos;
            }

            @Override
            public long monotonicNanos() {
                return 0;
            }

            @Override
            public String toString() {
                return "fixed:" + instant;
            }
        };
    }

    /**
     * A clock that moves only when the host calls {@link Virtual#advance}, e.g. once per game tick.
     * It is the host's: every instance granted it reads the same time, and a plugin restore
     * ({@code Plugin.restore}, a pool's reset) never moves it back.
     */
    static Virtual virtual(Instant start) {
        return new Virtual(toNanos(start));
    }

    private static long toNanos(Instant i) {
        Objects.requireNonNull(i, "instant");
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    }

    /** Realtime starts at the given instant, monotonic at 0; both move together by {@link #advance}. */
    final class Virtual implements WasiClock {
        private final long start;
        private final AtomicLong elapsed = new AtomicLong();

        private Virtual(long start) {
            this.start = start;
        }

        /** Moves both clocks forward; they never go back. */
        public void advance(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("a virtual clock only moves forward, got " + d);
            }
            elapsed.addAndGet(d.toNanos());
        }

        @Override
        public long realtimeNanos() {
            return start + elapsed.get();
        }

        @Override
        public long monotonicNanos() {
            return elapsed.get();
        }

        @Override
        public String toString() {
            return "virtual";
        }
    }
}
