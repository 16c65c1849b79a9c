package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Counters for metrics: per plugin, per module (over live and closed instances) and per engine. */
class StatsTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void pluginModuleAndEngineCountCallsFailuresAndFuel(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var arith = corral.loader().name("arith").load(Fixtures.wasm("arith"));
            var traps = corral.loader().name("traps").load(Fixtures.wasm("traps"));
            long fuel;
            try (var metered = arith.instantiate(PluginPolicy.builder().fuel(1_000_000).build())) {
                metered.call("fib", 10);
                fuel = metered.fuelConsumed();
                var snap = metered.snapshot();
                metered.call("fib", 10);
                metered.restore(snap);                                    // counters are not restored
                assertEquals(new PluginStats(2, 0, 2 * fuel), metered.stats());
                assertEquals(new ModuleStats(1, 1, 2, 0, 2 * fuel), arith.stats());
            }
            var plain = traps.instantiate();
            var ok = plain.function("ok");
            for (int i = 0; i < 5; i++) {
                ok.callRaw();                                             // the fast path counts too
            }
            assertThrows(TrapException.class, () -> plain.call("unreachable"));
            assertEquals(new PluginStats(6, 1, 0), plain.stats());
            assertEquals(new ModuleStats(1, 1, 6, 1, 0), traps.stats());
            assertEquals(new ModuleStats(1, 0, 2, 0, 2 * fuel), arith.stats(), "a closed instance's counts stay");

            var e = corral.stats();
            assertEquals(2, e.modulesLoaded());
            assertEquals(2, e.instances());
            assertEquals(1, e.liveInstances());
            assertEquals(8, e.calls());
            assertEquals(1, e.failedCalls());
            assertEquals(2 * fuel, e.fuelConsumed());
            plain.close();
            assertEquals(0, corral.stats().liveInstances());
            assertEquals(8, corral.stats().calls());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void nestedCallsAndInitializationAreNotCalls(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("reactor")).instantiate();
            assertEquals(0, p.stats().calls(), "_initialize ran, but the host has not called yet");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void pooledInstancesAreCounted(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var arith = corral.load(Fixtures.wasm("arith"));
            try (var pool = PluginPool.builder(arith).maxSize(2).build()) {
                for (int i = 0; i < 10; i++) {
                    pool.apply(p -> p.call("add", 1, 2));
                }
                var s = arith.stats();
                assertEquals(10, s.calls());
                assertTrue(s.liveInstances() >= 1 && s.liveInstances() <= 2, s.toString());
            }
            assertEquals(0, arith.stats().liveInstances());
            assertEquals(10, arith.stats().calls());
        }
    }
}
