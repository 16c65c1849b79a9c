package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, item 13: the same module and input end the same way compiled and interpreted. Before,
 * a million-deep self tail recursion completed interpreted but exhausted the JVM stack compiled,
 * and a self tail call in a function with a local failed interpreted only.
 */
class TailCallTest {
    private static final PluginPolicy TIMEOUT = PluginPolicy.builder().timeout(Duration.ofSeconds(30)).build();
    private static final PluginPolicy METERED = TIMEOUT.toBuilder().fuel(1_000_000_000L).build();

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void selfTailRecursionRunsInConstantStack(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("tail_calls")).instantiate(TIMEOUT)) {
            assertEquals(42, p.call("down", 1_000_000).getInt(0));
            assertEquals(1, p.call("fresh", 5).getInt(0)); // every (tail) call starts with its local at 0
            assertEquals(1000, p.call("brif", 5000).getInt(0)); // br_if to the function's label
            assertEquals(5, p.call("brif", 500).getInt(0));
            assertEquals(7, p.call("brtable", 100).getInt(0)); // br_table to the function's label
            assertEquals(5, p.call("brtable", 6).getInt(0));
            assertEquals(1, p.call("even", 10).getInt(0));
            assertEquals(0, p.call("even", 7).getInt(0)); // through return_call_indirect
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void deepMutualTailRecursionEndsTheSameWayInBothModes(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("tail_calls")).instantiate(TIMEOUT)) {
            // tail calls to other functions take a frame each, as Chicory's compiled code always did
            assertThrows(StackExhaustedException.class, () -> p.call("even", 1_000_000));
            assertThrows(StackExhaustedException.class, () -> p.call("rec_forever"));
            assertEquals(1, p.call("even", 100).getInt(0)); // still usable
        }
    }

    @Test
    void meteredTailCallsUseTheSameFuelInBothModes() {
        long[] fuel = new long[2];
        for (ExecutionMode mode : ExecutionMode.values()) {
            try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("tail_calls")).instantiate(METERED)) {
                assertEquals(42, p.call("down", 100_000).getInt(0));
                assertEquals(1, p.call("fresh", 1_000).getInt(0));
                assertEquals(7, p.call("brtable", 100).getInt(0));
                fuel[mode.ordinal()] = p.fuelConsumedTotal();
            }
        }
        assertEquals(fuel[0], fuel[1]);
    }
}
