package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class FuelTest {
    private static final Map<ExecutionMode, Corral> ENGINES = new EnumMap<>(ExecutionMode.class);
    private static final Map<ExecutionMode, PluginModule> LOOPS = new EnumMap<>(ExecutionMode.class);

    @BeforeAll
    static void load() {
        for (var mode : ExecutionMode.values()) {
            var corral = Corral.builder().executionMode(mode).build();
            ENGINES.put(mode, corral);
            LOOPS.put(mode, corral.load(FuelTest.class.getResourceAsStream("/wasm/fuel_loops.wasm")));
        }
    }

    @AfterAll
    static void close() {
        ENGINES.values().forEach(Corral::close);
    }

    private static Plugin metered(ExecutionMode mode, long fuel) {
        return LOOPS.get(mode).instantiate(PluginPolicy.builder().fuel(fuel).build());
    }

    /** Runs {@code export} on a plugin with {@code fuel} and returns the fuel the failed call used. */
    private static long exhaust(ExecutionMode mode, long fuel, String export) {
        var p = metered(mode, fuel);
        var e = assertThrows(FuelExhaustedException.class, () -> p.call(export));
        assertEquals(fuel, e.budget());
        assertTrue(e.fuelUsed() > fuel, "charged " + e.fuelUsed() + " against " + fuel);
        assertEquals(e.fuelUsed(), p.fuelConsumed(), "fuelConsumed after a failed call");
        assertTrue(e.getMessage().contains(export) && e.getMessage().contains("fuel"), e.getMessage());
        return e.fuelUsed();
    }

    @ParameterizedTest
    @ValueSource(strings = {"spin_br", "spin_br_if", "spin_br_table", "spin_nested", "recurse", "mutual", "tail", "grow_forever"})
    void runawayStopsAtTheSamePointInBothModes(String export) {
        long fuel = 900; // small enough that recursion is stopped by fuel long before the stack runs out
        long compiled = exhaust(ExecutionMode.COMPILED, fuel, export);
        long interpreted = exhaust(ExecutionMode.INTERPRETED, fuel, export);
        assertEquals(compiled, interpreted, export + ": fuel used compiled vs interpreted");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void largeBudgetsStopLoopsToo(ExecutionMode mode) {
        long fuel = 2_000_000;
        for (String export : List.of("spin_br", "spin_br_if", "spin_br_table")) {
            assertTrue(exhaust(mode, fuel, export) > fuel);
        }
    }

    @Test
    void costModelIsOneUnitPerInstruction() {
        for (var mode : ExecutionMode.values()) {
            var p = metered(mode, 1_000);
            p.call("nop");
            assertEquals(1, p.fuelConsumed(), "nop: end");
            assertEquals(3, p.call("add", 1, 2).getInt(0));
            assertEquals(4, p.fuelConsumed(), "add: local.get local.get i32.add end");
        }
    }

    @Test
    void theTotalAddsUpEveryCall() {
        var p = metered(ExecutionMode.COMPILED, 1_000_000);
        long atStart = p.fuelConsumedTotal();
        p.call("count", 10);
        long first = p.fuelConsumed();
        assertThrows(FuelExhaustedException.class, () -> metered(ExecutionMode.COMPILED, 10).call("spin_br"));
        p.call("count", 20);
        long second = p.fuelConsumed();
        assertEquals(atStart + first + second, p.fuelConsumedTotal());
        assertEquals(0, LOOPS.get(ExecutionMode.COMPILED).instantiate().fuelConsumedTotal());
    }

    @Test
    void loopCostGrowsLinearlyWithIterations() {
        var p = metered(ExecutionMode.COMPILED, 1_000_000);
        p.call("count", 10);
        long ten = p.fuelConsumed();
        p.call("count", 20);
        long twenty = p.fuelConsumed();
        p.call("count", 30);
        long thirty = p.fuelConsumed();
        assertTrue(ten > 10 * 5, "a loop iteration has more than 5 instructions: " + ten);
        assertEquals(twenty - ten, thirty - twenty, "each iteration costs the same");
    }

    @Test
    void identicalFuelAcrossRunsAndModes() {
        var compiled = metered(ExecutionMode.COMPILED, 10_000_000);
        var interpreted = metered(ExecutionMode.INTERPRETED, 10_000_000);
        assertEquals(6765, compiled.call("fib", 20).getInt(0));
        long expected = compiled.fuelConsumed();
        for (int i = 0; i < 100; i++) {
            compiled.call("fib", 20);
            assertEquals(expected, compiled.fuelConsumed(), "run " + i);
        }
        var fresh = metered(ExecutionMode.COMPILED, 10_000_000);
        fresh.call("fib", 20);
        assertEquals(expected, fresh.fuelConsumed(), "another instance");
        interpreted.call("fib", 20);
        assertEquals(expected, interpreted.fuelConsumed(), "interpreted");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void eachCallStartsWithTheFullBudgetAndTopUpsApplyToTheNextCall(ExecutionMode mode) {
        var p = metered(mode, 500);
        assertEquals(500, p.fuelRemaining());
        assertThrows(FuelExhaustedException.class, () -> p.call("count", 1_000));
        // the next call has a fresh budget again
        assertEquals(45, p.call("count", 10).getInt(0));
        assertEquals(500, p.fuelRemaining());
        p.addFuel(100_000);
        p.addFuel(1);
        assertEquals(100_501, p.fuelRemaining());
        assertEquals(499_500, p.call("count", 1_000).getInt(0));
        long used = p.fuelConsumed();
        assertTrue(used > 500 && used <= 100_501, "used " + used);
        assertEquals(500, p.fuelRemaining(), "the top-up was for one call");
        assertThrows(FuelExhaustedException.class, () -> p.call("count", 1_000));
    }

    @Test
    void memoryGrowAndBulkOperationsChargeByLength() {
        var p = metered(ExecutionMode.COMPILED, 100_000_000);
        p.call("grow", 0);
        long none = p.fuelConsumed();
        p.call("grow", 3);
        assertEquals(3 * 1024, p.fuelConsumed() - none, "1024 units per page requested");
        p.call("fill", 0);
        long empty = p.fuelConsumed();
        p.call("fill", 64 * 100);
        assertEquals(100, p.fuelConsumed() - empty, "1 unit per 64 bytes");
        p.call("fill", 65);
        assertEquals(2, p.fuelConsumed() - empty, "rounded up");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void memoryBombIsContainedByTheLimitAndStoppedByFuel(ExecutionMode mode) {
        var p = LOOPS.get(mode).instantiate(PluginPolicy.builder().fuel(50_000_000).maxMemory(4 * 65536).build());
        assertThrows(FuelExhaustedException.class, () -> p.call("grow_forever"));
        assertEquals(4, p.memoryPages(), "never above the policy's limit");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void tableBombIsStoppedByFuel(ExecutionMode mode) {
        // each table.grow is charged per slot requested; bounding the table's size is the table
        // limit's job, fuel bounds the work
        long used = exhaust(mode, 200_000, "table_bomb");
        assertTrue(used > 200_000);
    }

    @Test
    void wasiCallsPayTheHostCallCostToo() {
        var m = ENGINES.get(ExecutionMode.COMPILED).load(FuelTest.class.getResourceAsStream("/wasm/wasi_exit.wasm"));
        long[] used = new long[2];
        for (int i = 0; i < 2; i++) {
            var p = m.instantiate(PluginPolicy.builder().fuel(1_000_000).hostCallFuel(i * 500L).build());
            assertEquals(3, p.runMain());
            used[i] = p.fuelConsumed();
        }
        assertEquals(used[0] + 2 * 500, used[1], "fd_write and proc_exit each cost 500");
    }

    @Test
    void unmeteredPluginsAreNotInstrumented() {
        var corral = ENGINES.get(ExecutionMode.COMPILED);
        var m = corral.load(FuelTest.class.getResourceAsStream("/wasm/fuel_loops.wasm"));
        long compiled = corral.stats().compilations() + corral.stats().cacheHits();
        for (int i = 0; i < 5; i++) {
            var p = m.instantiate();
            assertEquals(55, p.call("fib", 10).getInt(0));
            assertEquals(0, p.fuelConsumed());
            assertThrows(IllegalStateException.class, () -> p.addFuel(1));
            assertThrows(IllegalStateException.class, p::fuelRemaining);
        }
        assertEquals(compiled, corral.stats().compilations() + corral.stats().cacheHits(), "no metered variant built");
        var policy = PluginPolicy.builder().fuel(1_000_000).build();
        for (int i = 0; i < 5; i++) {
            m.instantiate(policy).call("fib", 10);
        }
        assertEquals(compiled + 1, corral.stats().compilations() + corral.stats().cacheHits(),
                "the metered variant is compiled once, for all metered instances");
        // the metered variant does not show through the module's description
        assertTrue(m.exports().stream().noneMatch(e -> e.name().startsWith("__corral")), m.exports().toString());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aStartFunctionIsMetered(ExecutionMode mode) {
        var m = ENGINES.get(mode).load(FuelTest.class.getResourceAsStream("/wasm/fuel_start.wasm"));
        assertThrows(FuelExhaustedException.class, () -> m.instantiate(PluginPolicy.builder().fuel(10_000).build()));
    }

    private static Plugin withCallback(ExecutionMode mode, PluginPolicy.Builder policy, AtomicReference<Plugin> self,
            HostFunctionDef.Implementation impl) {
        var callback = HostFunctionDef.of("test", "callback",
                FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)), impl);
        var m = ENGINES.get(mode).load(FuelTest.class.getResourceAsStream("/wasm/fuel_host.wasm"));
        var p = m.instantiate(policy.hostModule(HostModuleDef.of("test", List.of(callback))).build());
        self.set(p);
        return p;
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void fuelRunsOutInsideAGuestHostGuestChain(ExecutionMode mode) {
        var self = new AtomicReference<Plugin>();
        var p = withCallback(mode, PluginPolicy.builder().fuel(5_000), self,
                (ctx, args) -> new long[] {self.get().call("inner", (int) args[0]).getInt(0)});
        // a short inner loop fits, and its fuel counts toward the outer call
        assertEquals(10, p.call("outer", 10).getInt(0));
        long small = p.fuelConsumed();
        assertTrue(small > 10, "inner loop charged to the outer call: " + small);
        var e = assertThrows(FuelExhaustedException.class, () -> p.call("outer", 1_000_000));
        assertEquals(5_000, e.budget());
        assertTrue(e.fuelUsed() > 5_000);
        assertEquals(e.fuelUsed(), p.fuelConsumed());
        // the plugin is usable afterwards with a fresh budget
        assertEquals(10, p.call("outer", 10).getInt(0));
        assertEquals(small, p.fuelConsumed());
    }

    @Test
    void sameChainUsesTheSameFuelInBothModes() {
        long[] used = new long[2];
        for (var mode : ExecutionMode.values()) {
            var self = new AtomicReference<Plugin>();
            var p = withCallback(mode, PluginPolicy.builder().fuel(5_000), self,
                    (ctx, args) -> new long[] {self.get().call("inner", (int) args[0]).getInt(0)});
            used[mode.ordinal()] = assertThrows(FuelExhaustedException.class, () -> p.call("outer", 1_000_000)).fuelUsed();
        }
        assertEquals(used[0], used[1]);
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void hostCallsChargeTheConfiguredCost(ExecutionMode mode) {
        var self = new AtomicReference<Plugin>();
        var free = withCallback(mode, PluginPolicy.builder().fuel(1_000_000), self, (ctx, args) -> new long[] {1});
        assertEquals(10, free.call("calls", 10).getInt(0));
        long base = free.fuelConsumed();
        var priced = withCallback(mode, PluginPolicy.builder().fuel(1_000_000).hostCallFuel(1_000), self,
                (ctx, args) -> new long[] {1});
        assertEquals(10, priced.call("calls", 10).getInt(0));
        assertEquals(base + 10 * 1_000, priced.fuelConsumed());
        var poor = withCallback(mode, PluginPolicy.builder().fuel(base + 5_500).hostCallFuel(1_000), self,
                (ctx, args) -> new long[] {1});
        var e = assertThrows(FuelExhaustedException.class, () -> poor.call("calls", 10));
        assertTrue(e.getMessage().contains("test.callback"), e.getMessage());
    }

    @Test
    void aHostFunctionCanTopUpTheRunningCall() {
        var self = new AtomicReference<Plugin>();
        var p = withCallback(ExecutionMode.COMPILED, PluginPolicy.builder().fuel(2_000), self, (ctx, args) -> {
            long before = self.get().fuelRemaining();
            self.get().addFuel(1_000_000);
            assertEquals(before + 1_000_000, self.get().fuelRemaining());
            return new long[] {self.get().call("inner", 100_000).getInt(0)};
        });
        assertEquals(100_000, p.call("outer", 0).getInt(0));
        assertTrue(p.fuelConsumed() > 100_000);
        assertEquals(2_000, p.fuelRemaining());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void otherFailuresStayWhatTheyAreAndFuelStaysReadable(ExecutionMode mode) {
        var p = metered(mode, 1_000_000);
        var trap = assertThrows(TrapException.class, () -> p.call("count_then_div", 5));
        assertEquals(TrapException.Kind.INTEGER_DIVIDE_BY_ZERO, trap.kind());
        long afterTrap = p.fuelConsumed();
        assertTrue(afterTrap >= 0 && afterTrap <= 1_000_000, "after a trap: " + afterTrap);
        assertEquals(20, p.call("count_then_div", 10).getInt(0));
        long ok = p.fuelConsumed();
        assertTrue(ok > 10, "after the next successful call: " + ok);

        var timed = LOOPS.get(mode).instantiate(PluginPolicy.builder().fuel(Long.MAX_VALUE / 4)
                .timeout(java.time.Duration.ofMillis(100)).build());
        assertThrows(CallTimeoutException.class, () -> timed.call("spin_br_if"));
        assertTrue(timed.fuelConsumed() >= 0);
        assertEquals(45, timed.call("count", 10).getInt(0), "usable after a timeout");
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void trapsNameTheSameFunctionMeteredOrNot(ExecutionMode mode) {
        var plain = assertThrows(TrapException.class, () -> LOOPS.get(mode).instantiate().call("divide", 0));
        var metered = assertThrows(TrapException.class, () -> metered(mode, 1_000).call("divide", 0));
        assertEquals(TrapException.Kind.INTEGER_DIVIDE_BY_ZERO, metered.kind());
        assertTrue(plain.function().isPresent());
        assertEquals(plain.function(), metered.function());
        assertEquals(1, metered(mode, 1_000).call("divide", 1).getInt(0));
    }

    @Test
    void policyRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> PluginPolicy.builder().fuel(0));
        assertThrows(IllegalArgumentException.class, () -> PluginPolicy.builder().hostCallFuel(-1));
        assertTrue(PluginPolicy.defaults().fuel().isEmpty());
        assertEquals(7, PluginPolicy.builder().fuel(7).build().toBuilder().build().fuel().getAsLong());
    }
}
