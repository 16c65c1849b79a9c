package dev.corral.guestsdks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.PluginPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The WASI example: each language reads the plugin's realtime clock through wasi_snapshot_preview1. */
class ClockTest {
    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void stampsWithTheWasiClock(String lang) {
        try (var corral = Corral.create();
                var plugin = Examples.instantiate(corral, lang, "clock", PluginPolicy.defaults())) {
            assertTrue(plugin.module().imports().stream().anyMatch(i -> i.module().equals("wasi_snapshot_preview1")
                    && i.name().equals("clock_time_get")), "uses the WASI clock");
            long before = System.currentTimeMillis() / 1000;
            String out = plugin.as(Stamper.class).stamp("tick ⏱");
            long after = System.currentTimeMillis() / 1000;
            int space = out.indexOf(' ');
            assertEquals("tick ⏱", out.substring(space + 1));
            long secs = Long.parseLong(out.substring(0, space));
            // core's WASI reads the host clock; a fixed or virtual clock is a corral-capabilities grant
            assertTrue(secs >= before && secs <= after, out + " not in [" + before + ", " + after + "]");
        }
    }
}
