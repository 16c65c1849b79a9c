package dev.corral.guestsdks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.PluginPolicy;
import dev.corral.capabilities.Wasi;
import dev.corral.capabilities.WasiClock;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The WASI example: each language reads the plugin's realtime clock through wasi_snapshot_preview1. */
class ClockTest {
    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void stampsWithTheGrantedClock(String lang) {
        var fixed = Instant.parse("2020-01-01T00:00:00Z");
        var policy = PluginPolicy.builder().grant(Wasi.builder().clock(WasiClock.fixed(fixed)).build()).build();
        try (var corral = Corral.create();
                var plugin = Examples.instantiate(corral, lang, "clock", policy)) {
            assertTrue(plugin.module().imports().stream().anyMatch(i -> i.module().equals("wasi_snapshot_preview1")
                    && i.name().equals("clock_time_get")), "uses the WASI clock");
            assertEquals(fixed.getEpochSecond() + " tick ⏱", plugin.as(Stamper.class).stamp("tick ⏱"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void withoutAClockGrantTimeStandsAtTheEpoch(String lang) {
        try (var corral = Corral.create();
                var plugin = Examples.instantiate(corral, lang, "clock", PluginPolicy.defaults())) {
            assertEquals("0 tick", plugin.as(Stamper.class).stamp("tick"));
        }
    }
}
