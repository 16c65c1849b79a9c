package dev.corral.guestsdks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.PluginPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The guest SDK examples, compiled by real toolchains, give the same results with fuel
 * instrumentation (and plenty of fuel) as without, and the metered runs use the same fuel in both
 * execution modes.
 */
class FuelDifferentialTest {
    private static final long PLENTY = 1L << 40;
    private static final List<String> NAMES = List.of("Corral", "", "Grüße, 世界 🌍\u0000\nend", "x".repeat(10_000));

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void helloIsTheSameMetered(String lang) {
        List<String> fuel = new ArrayList<>();
        for (ExecutionMode mode : ExecutionMode.values()) {
            try (var corral = Corral.builder().executionMode(mode).build();
                    var plain = Examples.instantiate(corral, lang, "hello", PluginPolicy.defaults());
                    var metered = Examples.instantiate(corral, lang, "hello", PluginPolicy.builder().fuel(PLENTY).build())) {
                for (String name : NAMES) {
                    assertEquals(plain.as(Greeter.class).greet(name), metered.as(Greeter.class).greet(name), mode + " " + lang);
                    assertTrue(metered.fuelConsumed() > 0);
                    fuel.add(name.length() + ":" + metered.fuelConsumed());
                }
            }
        }
        assertEquals(fuel.subList(0, NAMES.size()), fuel.subList(NAMES.size(), fuel.size()), "fuel per call, interpreted vs compiled");
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void filterIsTheSameMetered(String lang) {
        try (var corral = Corral.create()) {
            FilterTest.cases().forEach(c -> {
                Object[] a = c.get();
                List<String> outcomes = new ArrayList<>();
                for (var policy : List.of(PluginPolicy.builder(), PluginPolicy.builder().fuel(PLENTY))) {
                    var log = new RecordingLog(2);
                    try (var plugin = Examples.instantiate(corral, lang, "filter",
                            policy.hostModule(new CorralLog_CorralHost(log)).build())) {
                        outcomes.add(plugin.as(RequestFilter.class).filter((String) a[0], (String) a[1], (String) a[2])
                                + " log=" + log.records);
                    }
                }
                assertEquals(outcomes.get(0), outcomes.get(1), lang + " " + a[0] + " " + a[1]);
            });
        }
    }
}
