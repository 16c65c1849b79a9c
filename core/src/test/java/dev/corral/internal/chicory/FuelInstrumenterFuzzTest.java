package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.Corral;
import dev.corral.CorralException;
import dev.corral.ExecutionMode;
import dev.corral.ModuleLoadException;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.Outcomes;
import dev.corral.PluginPolicy;
import dev.corral.ValueType;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The fuel instrumenter on arbitrary valid modules: it either refuses with a clear error (a
 * construct it does not meter) or its output validates, and with plenty of fuel every export
 * behaves like the original (same results and memory size, or the same kind of failure).
 * Seeds: the WAT fixtures, compiled by the build into
 * {@code FuelInstrumenterFuzzTestInputs/meteredBehavesLikeOriginal}.
 */
class FuelInstrumenterFuzzTest {
    private static final long PLENTY = 1L << 50;
    private static Corral corral;

    @BeforeAll
    static void engine() {
        corral = Corral.builder().executionMode(ExecutionMode.INTERPRETED).build();
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    @FuzzTest(maxDuration = "60s")
    void meteredBehavesLikeOriginal(byte[] wasm) {
        WasmModule original;
        try {
            // as a load does: the pre-validator first, so Chicory only parses what it can bound
            ModuleScanner.scan("fuzz", wasm, dev.corral.LoadLimits.defaults(), dev.corral.WasmFeature.DEFAULTS);
            original = ChicoryModuleLoader.parse("fuzz", wasm);
        } catch (ModuleLoadException notAModule) {
            return;
        }
        FuelInstrumenter.Result r;
        try {
            r = FuelInstrumenter.instrument(wasm, original);
        } catch (IllegalArgumentException refused) {
            return; // reserved export name or a construct it cannot meter: a load error, never unmetered code
        }
        ChicoryModuleLoader.parse("fuzz-metered", r.bytes()); // must validate: an exception here is a finding
        // the compiled variant (no interpreter loop checks, simple loops unrolled) must validate too
        ChicoryModuleLoader.parse("fuzz-metered-compiled", FuelInstrumenter.instrument(wasm, original, false).bytes());

        PluginModule m;
        try {
            m = corral.load(wasm);
        } catch (ModuleLoadException e) {
            return; // e.g. Chicory's validator let an index through that describing the module catches
        }
        var plain = PluginPolicy.builder().timeout(Duration.ofMillis(200)).build();
        var metered = plain.toBuilder().fuel(PLENTY).build();
        for (var e : m.exports()) {
            if (e.signature() == null || !e.signature().params().isEmpty() || !numeric(e.signature().results())) {
                continue;
            }
            String expected = outcome(m, plain, e.name());
            String actual = outcome(m, metered, e.name());
            if (expected.equals("timeout") || actual.equals("timeout")) {
                continue; // wall-clock bound: not comparable
            }
            assertEquals(expected, actual, "export " + e.name());
        }
    }

    private static boolean numeric(java.util.List<ValueType> types) {
        return types.stream().allMatch(t -> t == ValueType.I32 || t == ValueType.I64 || t == ValueType.F32 || t == ValueType.F64);
    }

    private static String outcome(PluginModule m, PluginPolicy policy, String export) {
        Plugin p;
        try {
            p = m.instantiate(policy);
        } catch (CorralException e) {
            return "instantiate " + Outcomes.kind(e);
        }
        try (p) {
            return "ok " + p.call(export) + " pages=" + p.memoryPages();
        } catch (CorralException e) {
            return Outcomes.kind(e);
        }
    }
}
