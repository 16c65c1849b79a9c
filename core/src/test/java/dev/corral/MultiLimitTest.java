package dev.corral;

import static dev.corral.WasmBytes.MEMORY;
import static dev.corral.WasmBytes.TABLE;
import static dev.corral.WasmBytes.bytes;
import static dev.corral.WasmBytes.cat;
import static dev.corral.WasmBytes.repeat;
import static dev.corral.WasmBytes.section;
import static dev.corral.WasmBytes.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, items 5 and 6: a plugin's memories (multi-memory) share the policy's maxMemory, and
 * its tables share maxTableElements, so more memories or tables buy no more room.
 */
class MultiLimitTest {
    private static final long PAGE = 65536;

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aSecondMemoryCannotGrowPastThePolicy(ExecutionMode mode) throws Throwable {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("multi_memory")).instantiate()) {
            int[] got = new int[1];
            long heap = Heap.allocatedBy(() -> got[0] = p.call("bomb_b").getInt(0));
            // 256 pages in all, memory a holds one, memory b started with one
            assertEquals(PluginPolicy.DEFAULT_MAX_MEMORY_PAGES - 2, got[0]);
            assertEquals(PluginPolicy.DEFAULT_MAX_MEMORY_PAGES - 1, p.call("size_b").getInt(0));
            assertEquals(-1, p.call("grow_a", 1).getInt(0));
            // allocated in all, not held: each grow copies into a larger array, with headroom, so the
            // copies add up to a small multiple of the bound however the guest grows
            assertTrue(heap < 4 * PluginPolicy.DEFAULT_MAX_MEMORY_PAGES * PAGE, "growing allocated " + heap + " bytes");
            p.call("store_b", 100_000, 42);
            assertEquals(42, p.call("load_b", 100_000).getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void theMemoriesShareTheBound(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode);
                var p = corral.load(Fixtures.wasm("multi_memory")).instantiate(PluginPolicy.builder().maxMemoryPages(10).build())) {
            assertEquals(1, p.call("grow_a", 4).getInt(0)); // a: 5, b: 1
            assertEquals(-1, p.call("grow_b", 5).getInt(0)); // 11 > 10
            assertEquals(1, p.call("grow_b", 4).getInt(0)); // 10
            assertEquals(-1, p.call("grow_a", 1).getInt(0));
            assertEquals(-1, p.call("grow_b", 1).getInt(0));
            assertEquals(5, p.memoryPages());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void memoriesThatStartOverTheBoundTogetherAreRefused(ExecutionMode mode) {
        byte[] wasm = WasmBytes.module(section(MEMORY, u32(2), bytes(0, 3), bytes(0, 3)));
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.load(wasm);
            var e = assertThrows(ModuleLoadException.class, () -> m.instantiate(PluginPolicy.builder().maxMemoryPages(5).build()));
            assertEquals(ModuleLoadException.Reason.LIMITS, e.reason());
            assertTrue(e.getMessage().contains("needs 6 pages") && e.getMessage().contains("all memories together"), e.getMessage());
            m.instantiate(PluginPolicy.builder().maxMemoryPages(6).build()).close();
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aSecondTableCannotGrowPastThePolicy(ExecutionMode mode) throws Throwable {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("multi_table")).instantiate()) {
            int[] got = new int[1];
            long heap = Heap.allocatedBy(() -> got[0] = p.call("bomb_b").getInt(0));
            assertEquals(PluginPolicy.DEFAULT_MAX_TABLE_ELEMENTS - 1, got[0]);
            assertEquals(-1, p.call("grow_a", 1).getInt(0));
            // grown one element at a time: copies with headroom keep it linear (Chicory's own
            // table copied on every grow, ~400 MB for these 10,000 elements)
            assertTrue(heap < 16L << 20, "growing allocated " + heap + " bytes");
        }
        try (var corral = Fixtures.engine(mode);
                var p = corral.load(Fixtures.wasm("multi_table")).instantiate(PluginPolicy.builder().maxTableElements(10).build())) {
            assertEquals(1, p.call("grow_a", 5).getInt(0)); // a: 6, b: 1
            assertEquals(-1, p.call("grow_b", 4).getInt(0));
            assertEquals(1, p.call("grow_b", 3).getInt(0));
            assertEquals(4, p.call("size_b").getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void tablesThatStartOverTheBoundTogetherAreRefused(ExecutionMode mode) throws Throwable {
        // 100 tables (the most LoadLimits allows by default) of 10,000 elements: each alone fits the policy
        byte[] wasm = WasmBytes.module(section(TABLE, u32(100), repeat(cat(bytes(0x70, 0), u32(10_000)), 100)));
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.load(wasm);
            ModuleLoadException[] e = new ModuleLoadException[1];
            long heap = Heap.allocatedBy(() -> e[0] = assertThrows(ModuleLoadException.class, m::instantiate));
            assertEquals(ModuleLoadException.Reason.LIMITS, e[0].reason());
            assertTrue(e[0].getMessage().contains("20000 table elements (tables 0 to 1 together)"), e[0].getMessage());
            assertTrue(heap < 8L << 20, "refusing allocated " + heap + " bytes");
        }
    }
}
