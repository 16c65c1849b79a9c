package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.FunctionSignature;
import dev.corral.PluginPolicy;
import dev.corral.ValueType;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A module whose dispatch methods Chicory makes too large for the JIT, loaded through Corral: the
 * compile facts list no method above the limit, and the split code computes what the interpreter
 * does, fuel-metered too.
 */
class DispatchThroughCorralTest {
    private static PluginPolicy.Builder policy() {
        var type = FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32));
        var hosts = new ArrayList<HostFunctionDef>();
        for (int i = 0; i < 2; i++) {
            int self = i;
            hosts.add(HostFunctionDef.of("env", "h" + i, type, (c, a) -> new long[] {(int) a[0] + self}));
        }
        return PluginPolicy.builder().hostModule(HostModuleDef.of("env", hosts));
    }

    @ParameterizedTest
    @ValueSource(ints = {900, 2_000})
    void splitDispatchRunsCompiledAndAgreesWithTheInterpreter(int n) {
        byte[] wasm = GeneratedModules.manyFunctionsOfOneType(n);
        int total = n + 2;
        long[] results = new long[4];
        int i = 0;
        for (ExecutionMode mode : ExecutionMode.values()) {
            try (var corral = Corral.builder().executionMode(mode).build()) {
                var module = corral.load(wasm);
                if (mode == ExecutionMode.COMPILED) {
                    var facts = module.compileFacts();
                    assertTrue(facts.runtimeAboveJitLimit().isEmpty(), "Chicory's dispatch methods split: " + facts);
                    assertTrue(facts.aboveJitLimit().isEmpty(), facts.toString());
                }
                try (var plain = module.instantiate(policy().build());
                        var metered = module.instantiate(policy().fuel(1_000_000_000L).build())) {
                    int k = 3 * total + 5;
                    results[i++] = plain.call("run", k).getInt(0);
                    results[i++] = metered.call("run", k).getInt(0);
                    assertEquals(1_000 + total - 1, plain.call("f_" + (total - 1), 1_000).getInt(0));
                }
            }
        }
        long expected = 0;
        for (int j = 0; j < 3 * total + 5; j++) {
            expected += j % total;
        }
        for (long r : results) {
            assertEquals((int) expected, (int) r, "compiled, compiled metered, interpreted, interpreted metered");
        }
    }
}
