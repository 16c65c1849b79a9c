package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.ExternalType;
import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.FunctionSignature;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.ValueType;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The host's direct entry into a metered export's clone (compiled mode) against the wrapper it
 * replaces (the interpreter still calls the wrapper): same results, same failures, same fuel to
 * the unit, under every small budget, including those that cannot pay the clone's entry block.
 */
class MeteredEntryTest {
    private static final List<FunctionSignature> CALLABLE = List.of(
            FunctionSignature.of(List.of(), List.of()),
            FunctionSignature.of(List.of(), List.of(ValueType.I32)),
            FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
            FunctionSignature.of(List.of(ValueType.I32), List.of()),
            FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of(ValueType.I32)));

    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = MeteredEntryTest.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            return in.readAllBytes();
        }
    }

    @Test
    void aWrapperIsReadBack() throws Exception {
        byte[] wasm = fixture("arith");
        var parsed = Parser.parse(wasm);
        var r = FuelInstrumenter.instrument(wasm, parsed, false);
        var m = Parser.parse(r.bytes());
        int found = 0;
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            var e = m.exportSection().getExport(i);
            if (e.exportType() != ExternalType.FUNCTION) {
                continue;
            }
            var type = m.functionSection().getFunctionType((int) e.index() - m.importSection().count(ExternalType.FUNCTION), m.typeSection());
            var entry = MeteredEntry.of(m, (int) e.index(), r.clones(), java.util.Set.of());
            boolean simple = type.returns().equals(List.of(com.dylibso.chicory.wasm.types.ValType.I32));
            if (simple && entry != null) {
                found++;
                // a wrapper the splitter cut calls its helpers, not the clone: never entered directly
                assertNull(MeteredEntry.of(m, (int) e.index(), r.clones(), java.util.Set.of((int) e.index())), e.name());
                assertEquals(FuelInstrumenter.CHUNK, entry.chunk);
                assertEquals(r.clones().get(entry.clone), (int) e.index());
            }
            if (!simple) {
                assertNull(entry, e.name());
            }
        }
        assertTrue(found > 0, "no export of arith.wat is entered directly");
        assertNull(MeteredEntry.of(m, 0, Map.of(), java.util.Set.of()), "not a wrapper");
    }

    @ParameterizedTest
    @ValueSource(strings = {"arith", "fuel_bare", "fuel_constructs", "fuel_loops", "fuel_unroll", "loops", "traps", "call_depth", "memory"})
    void sameOutcomeAndFuelAsTheWrapper(String name) throws Exception {
        byte[] wasm = fixture(name);
        try (Corral compiled = Corral.builder().executionMode(ExecutionMode.COMPILED).build();
                Corral interpreted = Corral.builder().executionMode(ExecutionMode.INTERPRETED).build()) {
            PluginModule c = compiled.load(wasm);
            PluginModule i = interpreted.load(wasm);
            List<String> exports = new ArrayList<>();
            for (var e : c.exports()) {
                if (e.signature() != null && CALLABLE.contains(e.signature())) {
                    exports.add(e.name());
                }
            }
            assertNotNull(exports);
            for (String export : exports) {
                for (long budget : new long[] {1, 2, 3, 4, 5, 6, 8, 11, 17, 30, 64, 200, 5_000}) {
                    var policy = PluginPolicy.builder().fuel(budget).timeout(Duration.ofSeconds(5)).maxCallDepth(40).build();
                    String a = outcome(c, policy, export);
                    String b = outcome(i, policy, export);
                    assertEquals(b, a, name + " " + export + " with " + budget + " fuel");
                }
            }
        }
    }

    private static String outcome(PluginModule m, PluginPolicy policy, String export) {
        Plugin p;
        try {
            p = m.instantiate(policy);
        } catch (RuntimeException e) {
            return "instantiate: " + e.getClass().getSimpleName();
        }
        try {
            var sig = m.exportedFunction(export).orElseThrow();
            long[] args = new long[sig.params().size()];
            java.util.Arrays.fill(args, 3);
            String result;
            try {
                long[] out = p.function(export).callRaw(args);
                result = java.util.Arrays.toString(out);
            } catch (RuntimeException e) {
                result = e.getClass().getSimpleName();
            }
            return result + " fuel " + p.fuelConsumed() + " total " + p.fuelConsumedTotal();
        } finally {
            p.close();
        }
    }
}
