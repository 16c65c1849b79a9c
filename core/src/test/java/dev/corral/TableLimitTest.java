package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TableLimitTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aTableBombIsContained(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("tables")).instantiate();
            // t1 holds 2 of the plugin's elements
            assertEquals(PluginPolicy.DEFAULT_MAX_TABLE_ELEMENTS - 2, p.call("bomb").getInt(0));
            assertEquals(-1, p.call("grow", 1).getInt(0));
            assertEquals(-1, p.call("grow_capped", 1).getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void growStopsAtThePolicyLimitAndHugeRequestsFailCleanly(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            // t0 starts with 1 element, t1 with 2: 5 in all leaves 2
            var p = corral.load(Fixtures.wasm("tables")).instantiate(PluginPolicy.builder().maxTableElements(5).build());
            assertEquals(1, p.call("grow", 1).getInt(0));
            assertEquals(-1, p.call("grow", 2).getInt(0));
            assertEquals(2, p.call("grow", 1).getInt(0));
            assertEquals(-1, p.call("grow", Integer.MAX_VALUE).getInt(0)); // int overflow in Chicory's own check
            assertEquals(-1, p.call("grow", -1).getInt(0)); // u32 4294967295
            assertEquals(3, p.call("size").getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void thePolicyNeverRaisesTheModulesOwnMaximum(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("tables")).instantiate(PluginPolicy.builder().maxTableElements(1000).build());
            assertEquals(2, p.call("grow_capped", 6).getInt(0));
            assertEquals(-1, p.call("grow_capped", 1).getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void growthInOneInstanceDoesNotLeakIntoTheNext(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.load(Fixtures.wasm("tables"));
            try (var p = m.instantiate()) {
                p.call("grow", 100);
                assertEquals(101, p.call("size").getInt(0));
            }
            try (var q = m.instantiate()) {
                assertEquals(1, q.call("size").getInt(0));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void initialTableOverTheLimitIsRefusedClearly(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.loader().name("big").load(Fixtures.wasm("big_table"));
            var e = assertThrows(ModuleLoadException.class, m::instantiate);
            assertEquals(ModuleLoadException.Reason.LIMITS, e.reason());
            assertTrue(e.getMessage().contains("needs 20000 elements"), e.getMessage());
            try (var p = m.instantiate(PluginPolicy.builder().maxTableElements(20_000).build())) {
                assertEquals(20000, p.call("size").getInt(0));
            }
        }
    }
}
