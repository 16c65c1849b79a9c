package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StackTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void runawayRecursionExhaustsTheStackAndThePluginSurvives(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("loops")).instantiate();
            for (int round = 0; round < 3; round++) {
                var e = assertThrows(StackExhaustedException.class, () -> p.call("recurse_deep", 0));
                assertTrue(e.getMessage().contains("exhausted the call stack"), e.getMessage());
                assertEquals(100, p.call("count", 100).getInt(0));
            }
        }
    }
}
