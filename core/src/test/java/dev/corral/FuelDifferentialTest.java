package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential check over every WAT fixture of core: each exported function, called with the same
 * arguments on a fresh instance, behaves the same with fuel instrumentation (and plenty of fuel) as
 * without: same results, or the same kind of failure. Guests that never finish unmetered (stopped
 * by the timeout) must be stopped by fuel or by the timeout when metered. A module exporting the
 * name reserved for the fuel global cannot be metered and is left out.
 */
class FuelDifferentialTest {
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    /** Enough for bulk operations on lengths like -1 (4 Gi elements, charged before they fail). */
    private static final long PLENTY = 1L << 50;
    private static Corral corral;

    @BeforeAll
    static void engine() {
        corral = Corral.create();
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    static Stream<Path> fixtures() throws Exception {
        Path dir = Path.of(FuelDifferentialTest.class.getResource("/wasm").toURI());
        List<Path> all = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".wasm")).sorted().forEach(all::add);
        }
        return all.stream();
    }

    private static final int[][] ARGUMENTS = {{0}, {1}, {3}, {10}, {-1}};

    @ParameterizedTest
    @MethodSource("fixtures")
    void instrumentedBehavesLikeTheOriginal(Path fixture) throws Exception {
        PluginModule m;
        try {
            m = corral.load(fixture);
        } catch (ModuleLoadException refused) {
            assertTrue(fixture.getFileName().toString().startsWith("feature_"), refused.getMessage());
            return; // the fixtures of proposals a load refuses
        }
        if (m.exports().stream().anyMatch(e -> e.name().equals("__corral_fuel"))) {
            return;
        }
        var plain = PluginPolicy.builder().timeout(TIMEOUT).build();
        var metered = plain.toBuilder().fuel(PLENTY).build();
        for (var export : m.exports()) {
            if (export.signature() == null || !numeric(export.signature())) {
                continue;
            }
            for (int[] seed : ARGUMENTS) {
                Object[] args = args(export.signature(), seed[0]);
                String expected = outcome(m, plain, export.name(), args);
                if (expected == null) {
                    return; // the module needs imports no default policy grants
                }
                String actual = outcome(m, metered, export.name(), args);
                if (expected.equals("timeout") && !actual.equals("fuel") && !actual.equals("timeout")) {
                    // slow, not runaway (tables.wasm's bomb grows a table 10,000 times, ~0.3 s on a busy
                    // machine with a cold JIT; an endless recursion takes as long to exhaust the stack
                    // while the metered one stops at its call depth): decide with time to spare
                    expected = outcome(m, plain.toBuilder().timeout(Duration.ofSeconds(30)).build(), export.name(), args);
                } else if (actual.equals("timeout") && !expected.equals("timeout")) {
                    // the other way round: the plain call finished, so the metered one is slow, not
                    // runaway (a cold JIT for the instrumented code on a loaded machine)
                    actual = outcome(m, metered.toBuilder().timeout(Duration.ofSeconds(30)).build(), export.name(), args);
                }
                if (expected.equals("timeout")) {
                    assertTrue(actual.equals("fuel") || actual.equals("timeout"),
                            export.name() + args.length + ": unmetered ran away, metered gave " + actual);
                } else {
                    assertEquals(expected, actual, fixture.getFileName() + " " + export.name() + " " + List.of(args));
                }
                if (export.signature().params().isEmpty()) {
                    break;
                }
            }
        }
    }

    private static boolean numeric(FunctionSignature s) {
        return Stream.concat(s.params().stream(), s.results().stream())
                .allMatch(t -> t == ValueType.I32 || t == ValueType.I64 || t == ValueType.F32 || t == ValueType.F64);
    }

    private static Object[] args(FunctionSignature s, int seed) {
        Object[] a = new Object[s.params().size()];
        for (int i = 0; i < a.length; i++) {
            switch (s.params().get(i)) {
                case I32: a[i] = seed + i; break;
                case I64: a[i] = (long) seed + i; break;
                case F32: a[i] = seed + i + 0.5f; break;
                default: a[i] = seed + i + 0.25; break;
            }
        }
        return a;
    }

    /** What a call did, as a comparable string; null if the module cannot be linked. */
    private static String outcome(PluginModule m, PluginPolicy policy, String export, Object[] args) {
        Plugin p;
        try {
            p = m.instantiate(policy);
        } catch (UnlinkableModuleException e) {
            return null;
        } catch (CorralException e) {
            return Outcomes.kind(e);
        }
        try (p) {
            return "ok " + p.call(export, args) + " pages=" + p.memoryPages();
        } catch (CorralException e) {
            return Outcomes.kind(e);
        }
    }
}
