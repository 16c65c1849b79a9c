package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, item 13: metered plugins stop runaway recursion at the same, deterministic depth in
 * both execution modes. Before, rec_forever under fuel ran out of JVM stack after ~1,300 frames
 * interpreted but out of fuel compiled.
 */
class CallDepthTest {
    private static final long FUEL = 100_000_000L;

    private static Plugin plugin(Corral corral, PluginPolicy.Builder policy) {
        var self = new AtomicReference<Plugin>();
        var env = HostModuleDef.of("env", List.of(HostFunctionDef.of("env", "again",
                FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                (c, a) -> new long[] {self.get().call("nest", (int) a[0]).getInt(0)})));
        var p = corral.load(Fixtures.wasm("call_depth")).instantiate(policy.hostModule(env).build());
        self.set(p);
        return p;
    }

    @Test
    void runawayRecursionEndsTheSameWayWithTheSameFuelInBothModes() {
        String[] outcome = new String[2];
        long[] fuel = new long[2];
        for (ExecutionMode mode : ExecutionMode.values()) {
            try (var corral = Fixtures.engine(mode); var p = plugin(corral, PluginPolicy.builder().fuel(FUEL))) {
                var e = assertThrows(StackExhaustedException.class, () -> p.call("rec_forever", 0));
                outcome[mode.ordinal()] = e.getMessage();
                fuel[mode.ordinal()] = p.fuelConsumed();
                assertEquals(10, p.call("nest", 10).getInt(0)); // usable afterwards
            }
        }
        assertEquals(outcome[0], outcome[1]);
        assertTrue(outcome[0].contains("deeper than the plugin's limit of 500"), outcome[0]);
        assertEquals(fuel[0], fuel[1], "fuel used until the limit");
        assertTrue(fuel[0] > PluginPolicy.DEFAULT_MAX_CALL_DEPTH, "the frames were charged: " + fuel[0]);
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void theLimitIsExact(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = plugin(corral, PluginPolicy.builder().fuel(FUEL).maxCallDepth(100))) {
            assertEquals(99, p.call("nest", 99).getInt(0)); // 100 frames
            var e = assertThrows(StackExhaustedException.class, () -> p.call("nest", 100));
            assertTrue(e.getMessage().contains("deeper than the plugin's limit of 100"), e.getMessage());
            // through a table: the depth goes through the global
            assertEquals(99, p.call("nest_indirect", 99).getInt(0));
            assertThrows(StackExhaustedException.class, () -> p.call("nest_indirect", 100));
            // a host function calling back into the guest: one limit for the whole call
            assertEquals(98, p.call("via_host", 98).getInt(0));
            assertThrows(StackExhaustedException.class, () -> p.call("via_host", 99));
            // every outermost call starts afresh
            assertEquals(99, p.call("nest", 99).getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void bigFramesCountMore(ExecutionMode mode) throws Throwable {
        // an i32 and 640 i64 locals, 1,281 JVM slots: 41 units a frame, so 12 frames fit the
        // default 500 and 13 do not (compiled, 90 such frames overflowed a 1 MiB stack)
        try (var corral = Fixtures.engine(mode); var p = plugin(corral, PluginPolicy.builder().fuel(FUEL))) {
            assertEquals(12, p.call("big", 11).getInt(0));
            long[] heap = new long[1];
            heap[0] = Heap.allocatedBy(() -> {
                var e = assertThrows(StackExhaustedException.class, () -> p.call("big", 12));
                assertTrue(e.getMessage().contains("limit of 500"), e.getMessage());
            });
            // what the frames hold is bounded by the limit (~256 bytes a unit, interpreted)
            assertTrue(heap[0] < 16L << 20, "the recursion allocated " + heap[0] + " bytes");
        }
    }

    /**
     * A re-entry's stack exhaustion stops the outer call even when the host function swallows it
     * (the depth global says so after the host call); a later call that traps for another reason
     * must not be named a stack exhaustion, though a call entering through MeteredEntry does not
     * reset that global itself.
     */
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void anExhaustionDoesNotNameALaterTrap(ExecutionMode mode) {
        var self = new AtomicReference<Plugin>();
        var env = HostModuleDef.of("env", List.of(HostFunctionDef.of("env", "again",
                FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)), (c, a) -> {
                    try {
                        return new long[] {self.get().call("rec_forever", 0).getInt(0)};
                    } catch (StackExhaustedException e) {
                        return new long[] {-1};
                    }
                })));
        try (var corral = Fixtures.engine(mode);
                var p = corral.load(Fixtures.wasm("call_depth"))
                        .instantiate(PluginPolicy.builder().fuel(FUEL).maxCallDepth(100).hostModule(env).build())) {
            self.set(p);
            assertThrows(StackExhaustedException.class, () -> p.call("via_host", 0));
            var e = assertThrows(TrapException.class, () -> p.call("boom"));
            assertEquals(TrapException.class, e.getClass(), e.toString());
            assertEquals(99, p.call("nest", 99).getInt(0), "and the full depth is there again (100 frames)");
            assertThrows(StackExhaustedException.class, () -> p.call("nest", 100));
        }
    }
}
