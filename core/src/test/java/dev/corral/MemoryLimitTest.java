package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MemoryLimitTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void growStopsAtThePolicyLimit(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("memory")).instantiate(PluginPolicy.builder().maxMemory(4 * 65536).build());
            assertEquals(1, p.call("grow", 2).getInt(0));
            assertEquals(-1, p.call("grow", 2).getInt(0));
            assertEquals(3, p.call("grow", 1).getInt(0));
            assertEquals(4, p.memoryPages());
            assertEquals(-1, p.call("grow", 1).getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aMemoryBombIsContained(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("memory")).instantiate();
            assertEquals(PluginPolicy.DEFAULT_MAX_MEMORY_PAGES - 1, p.call("bomb").getInt(0));
            assertEquals(PluginPolicy.DEFAULT_MAX_MEMORY_PAGES, p.memoryPages());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void thePolicyNeverRaisesTheModulesOwnMaximum(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("memory_capped")).instantiate(PluginPolicy.builder().maxMemoryPages(100).build());
            assertEquals(1, p.call("grow", 1).getInt(0));
            assertEquals(-1, p.call("grow", 1).getInt(0));
            assertEquals(2, p.memoryPages());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void initialMemoryOverTheLimitIsRefusedClearly(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.loader().name("big").load(Fixtures.wasm("big_memory"));
            var e = assertThrows(ModuleLoadException.class, () -> m.instantiate(PluginPolicy.builder().maxMemory(1 << 20).build()));
            assertEquals(ModuleLoadException.Reason.LIMITS, e.reason());
            assertTrue(e.getMessage().contains("needs 64 pages"), e.getMessage());
            assertEquals(64, m.instantiate(PluginPolicy.builder().maxMemory(4 << 20).build()).memoryPages());
        }
    }
}
