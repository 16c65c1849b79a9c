package dev.corral.guestsdks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.PluginPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The guest SDK examples, as real toolchains compile them, with every function split as small as
 * Corral's splitter cuts it (core/SPLITTING.md) and compiled, behave exactly like the unsplit
 * examples in Chicory's interpreter: the same results and log records, and metered, the same fuel
 * per call to the unit.
 */
class SplitDifferentialTest {
    private static final String SPLIT_EVERYTHING = "dev.corral.internal.splitEverything";
    private static final long PLENTY = 1L << 40;
    private static final List<String> NAMES = List.of("Corral", "", "Grüße, 世界 🌍\u0000\nend", "x".repeat(5_000));

    /** What {@code run} gives interpreted unsplit, then compiled with everything split to 120 bytes. */
    private static List<String> bothWays(Function<Corral, List<String>> run) {
        List<String> out = new ArrayList<>();
        try (var corral = Corral.builder().executionMode(ExecutionMode.INTERPRETED).build()) {
            out.add(String.join("\n", run.apply(corral)));
        }
        System.setProperty(SPLIT_EVERYTHING, "120");
        try (var corral = Corral.create()) {
            out.add(String.join("\n", run.apply(corral)));
        } finally {
            System.clearProperty(SPLIT_EVERYTHING);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void helloSplitBehavesLikeHelloInterpreted(String lang) {
        var runs = bothWays(corral -> {
            List<String> out = new ArrayList<>();
            try (var plain = Examples.instantiate(corral, lang, "hello", PluginPolicy.defaults());
                    var metered = Examples.instantiate(corral, lang, "hello", PluginPolicy.builder().fuel(PLENTY).build())) {
                var split = corral.loader().name(lang + "-hello").load(Examples.wasm(lang, "hello")).compileFacts();
                out.add("split functions: " + (split.mode() == ExecutionMode.COMPILED ? !split.splitFunctions().isEmpty() : "n/a"));
                for (String name : NAMES) {
                    out.add(plain.as(Greeter.class).greet(name));
                    out.add(metered.as(Greeter.class).greet(name) + " fuel=" + metered.fuelConsumed());
                }
            }
            return out;
        });
        assertTrue(runs.get(1).startsWith("split functions: true"), runs.get(1));
        assertEquals(runs.get(0).substring(runs.get(0).indexOf('\n')), runs.get(1).substring(runs.get(1).indexOf('\n')), lang);
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void filterSplitBehavesLikeFilterInterpreted(String lang) {
        var runs = bothWays(corral -> {
            List<String> out = new ArrayList<>();
            FilterTest.cases().forEach(c -> {
                Object[] a = c.get();
                for (var policy : List.of(PluginPolicy.builder(), PluginPolicy.builder().fuel(PLENTY))) {
                    var log = new RecordingLog(2);
                    try (var plugin = Examples.instantiate(corral, lang, "filter",
                            policy.hostModule(new CorralLog_CorralHost(log)).build())) {
                        out.add(plugin.as(RequestFilter.class).filter((String) a[0], (String) a[1], (String) a[2])
                                + " log=" + log.records + (plugin.module().exportedFunction("filter").isPresent()
                                && policy.build().fuel().isPresent() ? " fuel=" + plugin.fuelConsumed() : ""));
                    }
                }
            });
            return out;
        });
        assertEquals(runs.get(0), runs.get(1), lang);
    }
}
