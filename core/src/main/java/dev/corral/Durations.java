package dev.corral;

import java.time.Duration;

/** Renders durations the way users type them ({@code 100ms}, {@code 2s}). */
final class Durations {
    private Durations() {}

    static String format(Duration d) {
        if (d.toNanos() % 1_000_000_000L == 0) {
            return d.toSeconds() + "s";
        }
        if (d.toNanos() % 1_000_000L == 0) {
            return d.toMillis() + "ms";
        }
        return d.toNanos() / 1000 + "us";
    }
}
