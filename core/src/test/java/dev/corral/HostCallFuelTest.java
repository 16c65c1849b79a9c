package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fuel across host calls made from a loop, through the public API: a loop whose body calls the
 * host is metered on the fuel global (no flush and reload of the function's fuel local around each
 * host call), so what the host does during the call (re-enter and burn fuel, read it, top it up,
 * swallow a nested exhaustion) must be seen by the loop's next charge exactly.
 */
class HostCallFuelTest {
    private static final Map<ExecutionMode, Corral> ENGINES = new EnumMap<>(ExecutionMode.class);
    private static final Map<ExecutionMode, PluginModule> MODULES = new EnumMap<>(ExecutionMode.class);

    @BeforeAll
    static void load() {
        for (var mode : ExecutionMode.values()) {
            var corral = Corral.builder().executionMode(mode).build();
            ENGINES.put(mode, corral);
            MODULES.put(mode, corral.load(HostCallFuelTest.class.getResourceAsStream("/wasm/fuel_host_loops.wasm")));
        }
    }

    @AfterAll
    static void close() {
        ENGINES.values().forEach(Corral::close);
    }

    /** A metered plugin of fuel_host_loops.wat whose import {@code env.h} runs {@code impl} (with the plugin itself). */
    private static Plugin plugin(ExecutionMode mode, PluginPolicy.Builder policy, Impl impl) {
        var self = new AtomicReference<Plugin>();
        var h = HostFunctionDef.of("env", "h", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                (ctx, args) -> new long[] {impl.apply(self.get(), (int) args[0])});
        var p = MODULES.get(mode).instantiate(policy.hostModule(HostModuleDef.of("env", List.of(h))).build());
        self.set(p);
        return p;
    }

    interface Impl {
        int apply(Plugin self, int x);
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aReentryInsideTheLoopIsChargedToTheOuterCallExactly(ExecutionMode mode) {
        var quiet = plugin(mode, PluginPolicy.builder().fuel(1_000_000), (self, x) -> x + 1);
        assertEquals(6, quiet.call("calls", 6).getInt(0));
        long loop = quiet.fuelConsumed();
        assertEquals(25, quiet.call("burn", 25).getInt(0));
        long burn = quiet.fuelConsumed();
        var reentering = plugin(mode, PluginPolicy.builder().fuel(1_000_000),
                (self, x) -> x + 1 + self.call("burn", 25).getInt(0));
        assertEquals(6 * 26, reentering.call("calls", 6).getInt(0));
        assertEquals(loop + 6 * burn, reentering.fuelConsumed(), "each re-entry's fuel, no more and no less");
        // the last budget that suffices, and one unit less: exhaustion at the same charge
        long need = reentering.fuelConsumed();
        var exact = plugin(mode, PluginPolicy.builder().fuel(need), (self, x) -> x + 1 + self.call("burn", 25).getInt(0));
        assertEquals(6 * 26, exact.call("calls", 6).getInt(0));
        assertEquals(need, exact.fuelConsumed());
        var shortOne = plugin(mode, PluginPolicy.builder().fuel(need - 1), (self, x) -> x + 1 + self.call("burn", 25).getInt(0));
        var e = assertThrows(FuelExhaustedException.class, () -> shortOne.call("calls", 6));
        assertEquals(need - 1, e.budget());
        assertTrue(e.fuelUsed() >= need, "used " + e.fuelUsed());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void theHostSeesTheFuelOfEveryIteration(ExecutionMode mode) {
        List<Long> seen = new ArrayList<>();
        var p = plugin(mode, PluginPolicy.builder().fuel(10_000), (self, x) -> {
            seen.add(self.fuelRemaining());
            return x + 1;
        });
        p.call("calls", 5);
        assertEquals(5, seen.size());
        long step = seen.get(0) - seen.get(1);
        assertTrue(step > 0, seen.toString());
        for (int i = 1; i < seen.size(); i++) {
            assertEquals(step, seen.get(i - 1) - seen.get(i), "each iteration costs the same: " + seen);
        }
        assertTrue(p.fuelConsumed() > 10_000 - seen.get(4), "the call went on after the last host call");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aTopUpFromTheHostIsSpendable(ExecutionMode mode) {
        var quiet = plugin(mode, PluginPolicy.builder().fuel(1_000_000), (self, x) -> x + 1);
        quiet.call("calls_then_work", 6);
        long need = quiet.fuelConsumed();
        // the budget pays for the first iteration only; each host call adds what the rest needs
        var p = plugin(mode, PluginPolicy.builder().fuel(30), (self, x) -> {
            self.addFuel(need);
            return x + 1;
        });
        p.call("calls_then_work", 6);
        assertEquals(need, p.fuelConsumed(), "a top-up changes the budget, not what the call costs");
        var poor = plugin(mode, PluginPolicy.builder().fuel(30), (self, x) -> x + 1);
        assertThrows(FuelExhaustedException.class, () -> poor.call("calls_then_work", 6));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aNestedExhaustionTheHostSwallowsStillStopsTheOuterCall(ExecutionMode mode) {
        List<Long> swallowed = new ArrayList<>();
        var p = plugin(mode, PluginPolicy.builder().fuel(2_000), (self, x) -> {
            try {
                self.call("burn", 1_000_000);
            } catch (CorralException e) {
                swallowed.add(self.fuelConsumed()); // the nested call's trap, mapped or not
            }
            return x + 1;
        });
        // the guest must not run on after the host returns: its next charge finds the fuel gone
        var e = assertThrows(FuelExhaustedException.class, () -> p.call("calls", 1_000));
        assertEquals(1, swallowed.size());
        assertTrue(e.fuelUsed() > swallowed.get(0), e.fuelUsed() + " after " + swallowed);
        assertEquals(e.fuelUsed(), p.fuelConsumed());
    }

    @Test
    void bothModesStopAtTheSameUnit() {
        for (long budget = 0; budget < 600; budget += 7) {
            long b = budget;
            String[] outcome = new String[2];
            for (var mode : ExecutionMode.values()) {
                var p = plugin(mode, PluginPolicy.builder().fuel(Math.max(1, b)).hostCallFuel(2),
                        (self, x) -> x + self.call("burn", 3).getInt(0));
                try {
                    outcome[mode.ordinal()] = "ok " + p.call("mixed", 4).getInt(0) + " used " + p.fuelConsumed();
                } catch (FuelExhaustedException e) {
                    outcome[mode.ordinal()] = "exhausted " + e.fuelUsed() + " in " + e.getMessage();
                }
            }
            assertEquals(outcome[0], outcome[1], "budget " + budget);
        }
    }
}
