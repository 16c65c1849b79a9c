package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Limits per call ({@link PluginFunction#withTimeout}, {@link PluginFunction#withFuel}) and for
 * initialization ({@link PluginPolicy.Builder#initTimeout}, {@link PluginPolicy.Builder#initFuel}):
 * which one applies, and that the exception names it. Elapsed-time bounds only check that a call
 * ended (generous for a loaded machine); which limit fired is read from the exception.
 */
@Timeout(120) // a limit that does not apply would leave a spin running: fail, do not hang
class CallLimitsTest {
    private static final FunctionSignature VOID = FunctionSignature.of(List.of(), List.of());
    private static final FunctionSignature I32_I32 = FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32));

    /** How long env.sleep sleeps (the start function calls it too); 0 by default. */
    private final AtomicLong sleepMillis = new AtomicLong();
    /** What env.reenter does. */
    private final AtomicReference<HostFunctionDef.Implementation> reenter = new AtomicReference<>((c, a) -> new long[] {a[0]});

    @AfterEach
    void threadIsNotLeftInterrupted() {
        assertFalse(Thread.interrupted(), "the test thread must come back without an interrupt");
    }

    private HostModuleDef env() {
        return HostModuleDef.of("env", List.of(
                HostFunctionDef.of("env", "sleep", VOID, (c, a) -> {
                    long ms = sleepMillis.get();
                    if (ms > 0) {
                        Thread.sleep(ms);
                    }
                    return null;
                }),
                HostFunctionDef.of("env", "reenter", I32_I32, (c, a) -> reenter.get().apply(c, a))));
    }

    private PluginPolicy.Builder policy() {
        return PluginPolicy.builder().hostModule(env());
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    // ---- per-call timeout ----

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aPerCallTimeoutShorterThanThePolicysStopsTheCall(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().timeout(Duration.ofSeconds(30)).build());
            var spin = p.function("spin").withTimeout(Duration.ofMillis(100));
            long t0 = System.nanoTime();
            var e = assertThrows(CallTimeoutException.class, spin::callRaw);
            assertTrue(millisSince(t0) >= 95 && millisSince(t0) < 10_000, "stopped after " + millisSince(t0) + " ms");
            assertEquals(Duration.ofMillis(100), e.timeout());
            assertSame(LimitSource.CALL, e.source());
            assertTrue(e.getMessage().contains("'spin' exceeded its per-call timeout of 100ms"), e.getMessage());
            assertEquals(7, p.function("count").callRaw(7)[0]); // usable again, under the policy's limits
        }
    }

    @Test
    void aPerCallTimeoutLongerThanThePolicysLetsTheCallFinish() {
        try (var corral = Corral.create()) {
            var p = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().timeout(Duration.ofMillis(50)).build());
            sleepMillis.set(300);
            var e = assertThrows(CallTimeoutException.class, () -> p.call("sleep"));
            assertSame(LimitSource.POLICY, e.source());
            assertEquals(Duration.ofMillis(50), e.timeout());
            assertTrue(e.getMessage().contains("'sleep' exceeded its timeout of 50ms"), e.getMessage());
            p.function("sleep").withTimeout(Duration.ofSeconds(30)).callRaw(); // 300 ms is fine for this call
            assertEquals(0, p.function("sleep").withTimeout(Duration.ofSeconds(30)).call().size());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aPerCallTimeoutWorksWithoutAPolicyTimeout(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().build());
            var spin = p.function("spin").withTimeout(Duration.ofMillis(100));
            var e = assertThrows(CallTimeoutException.class, () -> spin.call());
            assertSame(LimitSource.CALL, e.source());
            assertFalse(Thread.currentThread().isInterrupted());
            var count = p.function("count");
            for (int i = 0; i < 3; i++) { // the plain path afterwards: no stale deadline, no interrupt
                assertEquals(1000, count.callRaw(1000)[0]);
            }
        }
    }

    // ---- per-call fuel ----

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void perCallFuelReplacesThePolicysBudget(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().fuel(1_000_000).build());
            var count = p.function("count");
            assertEquals(20_000, count.callRaw(20_000)[0]);
            long need = p.fuelConsumed();
            var tight = count.withFuel(need / 2);
            var e = assertThrows(FuelExhaustedException.class, () -> tight.callRaw(20_000));
            assertSame(LimitSource.CALL, e.source());
            assertEquals(need / 2, e.budget());
            assertTrue(e.getMessage().contains("per-call budget of " + need / 2), e.getMessage());
            assertEquals(20_000, count.withFuel(need).callRaw(20_000)[0]); // exactly enough
            // the policy's budget is still the default for the handle itself
            var smallPolicy = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().fuel(need / 2).initFuel(10 * need).build());
            var policyLimited = assertThrows(FuelExhaustedException.class, () -> smallPolicy.call("count", 20_000));
            assertSame(LimitSource.POLICY, policyLimited.source());
            assertEquals(20_000, smallPolicy.function("count").withFuel(10 * need).call(20_000).getInt(0));
            // top-ups add to a view's budget as to the policy's
            smallPolicy.addFuel(need);
            assertEquals(20_000, smallPolicy.function("count").withFuel(need / 2).callRaw(20_000)[0]);
        }
    }

    @Test
    void aViewKeepsTheOtherLimitOfTheViewItCameFrom() {
        try (var corral = Corral.create()) {
            var p = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().fuel(1_000_000_000_000L).build());
            var spin = p.function("spin").withFuel(1_000).withTimeout(Duration.ofSeconds(30));
            var fuel = assertThrows(FuelExhaustedException.class, spin::callRaw);
            assertEquals(1_000, fuel.budget());
            var timed = p.function("spin").withTimeout(Duration.ofMillis(100)).withFuel(1_000_000_000_000L);
            var time = assertThrows(CallTimeoutException.class, timed::callRaw);
            assertEquals(Duration.ofMillis(100), time.timeout());
            assertSame(LimitSource.CALL, time.source());
        }
    }

    // ---- misuse ----

    @Test
    void misuseFailsLoudly() {
        try (var corral = Corral.create()) {
            var p = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().build());
            var count = p.function("count");
            var unmetered = assertThrows(IllegalStateException.class, () -> count.withFuel(1_000));
            assertTrue(unmetered.getMessage().contains("not metered") && unmetered.getMessage().contains("PluginPolicy.Builder.fuel"),
                    unmetered.getMessage());
            assertThrows(IllegalArgumentException.class, () -> count.withTimeout(Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> count.withTimeout(Duration.ofMillis(-1)));
            assertThrows(NullPointerException.class, () -> count.withTimeout(null));
            var metered = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().fuel(1_000_000).build());
            assertThrows(IllegalArgumentException.class, () -> metered.function("count").withFuel(0));
            var view = metered.function("count").withFuel(100);
            assertThrows(IllegalArgumentException.class, () -> view.callRaw()); // argument count still checked
            assertEquals("count", view.name());
            assertEquals(metered.function("count").signature(), view.signature());
        }
        var noFuel = assertThrows(IllegalStateException.class, () -> PluginPolicy.builder().initFuel(1_000).build());
        assertTrue(noFuel.getMessage().contains("needs fuel"), noFuel.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PluginPolicy.builder().initFuel(0));
        assertThrows(IllegalArgumentException.class, () -> PluginPolicy.builder().initTimeout(Duration.ZERO));
        var both = PluginPolicy.builder().fuel(10).initFuel(20).initTimeout(Duration.ofSeconds(3)).build();
        assertEquals(20, both.toBuilder().build().initFuel().getAsLong());
        assertEquals(Duration.ofSeconds(3), both.toBuilder().build().initTimeout().get());
    }

    // ---- initialization ----

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aStartFunctionGetsTheInitFuelWhileCallsKeepTheirTightBudget(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var module = corral.load(Fixtures.wasm("call_limits"));
            // without an init budget the start function (a 20,000-iteration loop) has a call's fuel
            var starved = assertThrows(FuelExhaustedException.class, () -> module.instantiate(policy().fuel(10_000).build()));
            assertSame(LimitSource.POLICY, starved.source());
            assertTrue(starved.getMessage().contains("(start)"), starved.getMessage());

            var p = module.instantiate(policy().fuel(10_000).initFuel(10_000_000).build());
            assertEquals(1, p.call("ready").getInt(0));
            assertTrue(p.fuelConsumedTotal() > 10_000, "the start function used more than a call may: " + p.fuelConsumedTotal());
            var e = assertThrows(FuelExhaustedException.class, () -> p.call("count", 20_000));
            assertSame(LimitSource.POLICY, e.source());
            assertEquals(10_000, e.budget());
        }
    }

    @Test
    void aSlowStartFunctionFinishesUnderTheInitTimeoutWhileCallsKeepTheirTightTimeout() {
        try (var corral = Corral.create()) {
            var module = corral.load(Fixtures.wasm("call_limits"));
            sleepMillis.set(300);
            var starved = assertThrows(CallTimeoutException.class,
                    () -> module.instantiate(policy().timeout(Duration.ofMillis(50)).build()));
            assertSame(LimitSource.POLICY, starved.source());

            var p = module.instantiate(policy().timeout(Duration.ofMillis(50)).initTimeout(Duration.ofSeconds(30)).build());
            assertEquals(1, p.call("ready").getInt(0));
            var e = assertThrows(CallTimeoutException.class, () -> p.call("sleep"));
            assertSame(LimitSource.POLICY, e.source());
            assertEquals(Duration.ofMillis(50), e.timeout());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aLoopingStartFunctionIsStoppedByTheInitBudget(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var loops = corral.load(Fixtures.wasm("start_loop"));
            long t0 = System.nanoTime();
            var e = assertThrows(CallTimeoutException.class, () -> loops.instantiate(PluginPolicy.builder()
                    .timeout(Duration.ofSeconds(60)).initTimeout(Duration.ofMillis(100)).build()));
            assertTrue(millisSince(t0) < 10_000, "stopped after " + millisSince(t0) + " ms");
            assertSame(LimitSource.INITIALIZATION, e.source());
            assertEquals(Duration.ofMillis(100), e.timeout());
            assertTrue(e.getMessage().startsWith("initialization ('(start)') exceeded its initialization timeout of 100ms"),
                    e.getMessage());

            var metered = corral.load(Fixtures.wasm("fuel_start"));
            var f = assertThrows(FuelExhaustedException.class, () -> metered.instantiate(PluginPolicy.builder()
                    .fuel(1_000_000_000).initFuel(5_000).build()));
            assertSame(LimitSource.INITIALIZATION, f.source());
            assertEquals(5_000, f.budget());
            assertTrue(f.getMessage().contains("during initialization") && f.getMessage().contains("against an initialization budget of 5000"),
                    f.getMessage());
        }
    }

    @Test
    void theInitializerSharesTheInitBudgetWithTheStartFunction() {
        try (var corral = Corral.create()) {
            var module = corral.load(Fixtures.wasm("call_limits"));
            var probe = module.instantiate(policy().fuel(1_000_000).build());
            long start = probe.fuelConsumedTotal(); // the start function: count(20000) and a little
            long count = probe.function("count").withFuel(1_000_000).callRaw(20_000)[0] == 20_000 ? probe.fuelConsumed() : -1;
            assertTrue(start > 0 && count > 0);

            // each step alone fits 1.5x, both together do not: one budget for initialization
            long shared = (start + count) * 3 / 4;
            var e = assertThrows(FuelExhaustedException.class, () -> module.instantiate(policy().fuel(10).initFuel(shared).build(),
                    p -> p.call("count", 20_000)));
            assertSame(LimitSource.INITIALIZATION, e.source());
            assertTrue(e.budget() < count, "the initializer got what the start function left: " + e.budget());

            var kept = new AtomicReference<PluginFunction>();
            var p = module.instantiate(policy().fuel(10).initFuel(2 * (start + count)).build(), q -> {
                kept.set(q.function("count"));
                assertEquals(20_000, kept.get().callRaw(20_000)[0]);
            });
            assertTrue(p.fuelConsumedTotal() >= start + count);
            assertEquals(0, p.stats().failedCalls());
            // after initialization, the policy's per-call budget applies again, through the same handle
            var after = assertThrows(FuelExhaustedException.class, () -> kept.get().callRaw(20_000));
            assertSame(LimitSource.POLICY, after.source());
            assertEquals(10, after.budget());
        }
    }

    @Test
    void theInitTimeoutBoundsTheInitializerAndEndsWithIt() {
        try (var corral = Corral.create()) {
            var module = corral.load(Fixtures.wasm("call_limits"));
            var init = PluginPolicy.builder().hostModule(env()).initTimeout(Duration.ofMillis(100)).build();
            var e = assertThrows(CallTimeoutException.class, () -> module.instantiate(init, p -> p.call("spin")));
            assertSame(LimitSource.INITIALIZATION, e.source());
            assertTrue(e.getMessage().contains("'spin'"), e.getMessage());
            // host code between calls counts too: a call starting after the bound fails at once
            var late = assertThrows(CallTimeoutException.class, () -> module.instantiate(init, p -> {
                try {
                    Thread.sleep(150);
                } catch (InterruptedException x) {
                    throw new AssertionError(x);
                }
                p.call("count", 1);
            }));
            assertSame(LimitSource.INITIALIZATION, late.source());
            // a call's own limit wins inside initialization too
            var own = assertThrows(CallTimeoutException.class, () -> module.instantiate(
                    policy().initTimeout(Duration.ofSeconds(30)).build(), p -> p.function("spin").withTimeout(Duration.ofMillis(50)).callRaw()));
            assertSame(LimitSource.CALL, own.source());
            // the initializer's exceptions propagate as they are, and the plugin is closed
            var seen = new AtomicReference<Plugin>();
            var boom = assertThrows(IllegalStateException.class, () -> module.instantiate(init, p -> {
                seen.set(p);
                throw new IllegalStateException("boom");
            }));
            assertEquals("boom", boom.getMessage());
            assertThrows(IllegalStateException.class, () -> seen.get().call("ready"));
            // and after initialization its bound is gone: no policy timeout, so a slow call is fine
            var kept = new AtomicReference<PluginFunction>();
            module.instantiate(init, p -> kept.set(p.function("sleep")));
            sleepMillis.set(300);
            kept.get().callRaw();
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }

    @Test
    void aPoolsInitializerRunsUnderTheInitBudget() {
        try (var corral = Corral.create()) {
            var module = corral.load(Fixtures.wasm("call_limits"));
            var policy = policy().fuel(10_000).initFuel(100_000_000).build();
            try (var pool = PluginPool.builder(module).policy(policy).initializer(p -> p.call("count", 20_000)).build();
                    var lease = pool.borrow()) {
                assertEquals(1, lease.plugin().call("ready").getInt(0));
                var e = assertThrows(FuelExhaustedException.class, () -> lease.plugin().call("count", 20_000));
                assertSame(LimitSource.POLICY, e.source());
            }
            var timed = policy().timeout(Duration.ofSeconds(30)).initTimeout(Duration.ofMillis(100)).build();
            try (var pool = PluginPool.builder(module).policy(timed).initializer(p -> p.call("spin")).build()) {
                var e = assertThrows(CallTimeoutException.class, pool::borrow);
                assertSame(LimitSource.INITIALIZATION, e.source());
                assertEquals(0, pool.stats().size());
            }
        }
    }

    // ---- nested calls ----

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void nestedCallsKeepTheOutermostCallsLimits(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().fuel(1_000_000).build());
            // the inner view's tiny budget does not apply inside the outer call's generous one
            reenter.set((c, a) -> p.function("count").withFuel(1).callRaw(a[0]));
            assertEquals(20_000, p.function("via_host").withFuel(10_000_000).callRaw(20_000)[0]);
            // nor does a generous inner budget lift a tight outer one
            reenter.set((c, a) -> p.function("count").withFuel(1_000_000_000).callRaw(a[0]));
            var e = assertThrows(FuelExhaustedException.class, () -> p.function("via_host").withFuel(5_000).callRaw(20_000));
            assertSame(LimitSource.CALL, e.source());
            assertEquals(5_000, e.budget());

            var timed = corral.load(Fixtures.wasm("call_limits")).instantiate(policy().build());
            reenter.set((c, a) -> {
                timed.function("spin").withTimeout(Duration.ofSeconds(60)).callRaw();
                return new long[] {0};
            });
            long t0 = System.nanoTime();
            var t = assertThrows(CallTimeoutException.class,
                    () -> timed.function("via_host").withTimeout(Duration.ofMillis(100)).callRaw(1));
            assertTrue(millisSince(t0) < 10_000, "stopped after " + millisSince(t0) + " ms");
            assertEquals(Duration.ofMillis(100), t.timeout());
            assertSame(LimitSource.CALL, t.source());
        }
    }
}
