package dev.corral.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.CallTimeoutException;
import dev.corral.FuelExhaustedException;
import dev.corral.LimitSource;
import dev.corral.PluginPolicy;
import dev.corral.StackExhaustedException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Hostile scripts are stopped by the right limit, the host carries on, and the plugin is usable
 * afterwards: reset to its start-up state when the engine itself was stopped, untouched when
 * JavaScript threw.
 */
class JsLimitsTest {
    private static final String SCRIPT = "var state = 'initial';\n"
            + "function spin() { state = 'spinning'; while (true) {} }\n"
            + "function recurse() { return recurse() + 1; }\n"
            + "function catchRecursion() { try { return recurse(); } catch (e) { return e.name + ': ' + e.message; } }\n"
            + "function bomb() { const keep = []; for (;;) keep.push(new Uint8Array(1 << 20)); }\n"
            + "function touch(v) { state = v; return state; }\n"
            + "function read() { return state; }\n";

    private static JsPlugin plugin(PluginPolicy policy) {
        return Engines.compiled().plugin("hostile").policy(policy).script(SCRIPT).build();
    }

    @Test
    void infiniteLoopIsStoppedByFuelAndThePluginIsReset() {
        try (var js = plugin(PluginPolicy.builder().fuel(2_000_000).timeout(Duration.ofSeconds(30)).build())) {
            js.call("touch", "changed");
            var e = assertThrows(FuelExhaustedException.class, () -> js.call("spin"));
            assertEquals(2_000_000, e.budget());
            assertTrue(e.getMessage().startsWith("plugin 'hostile' ran out of fuel in 'spin'"), e.getMessage()); // not 'quickjs' / 'qjs_call'
            assertTrue(e.getCause() instanceof FuelExhaustedException);
            assertEquals("initial", js.call("read")); // back to the start-up snapshot, not 'spinning'
            assertEquals("again", js.call("touch", "again"));
        }
    }

    @Test
    void infiniteLoopIsStoppedByTheDeadline() {
        // no fuel at all; start-up has a bound of its own, so the call's can be tight
        try (var js = plugin(PluginPolicy.builder().timeout(Duration.ofMillis(200)).initTimeout(Duration.ofSeconds(60)).build())) {
            long t0 = System.nanoTime();
            var e = assertThrows(CallTimeoutException.class, () -> js.call("spin"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 190 && ms < 10_000, "stopped after " + ms + " ms");
            assertEquals(Duration.ofMillis(200), e.timeout());
            assertEquals(LimitSource.POLICY, e.source());
            assertTrue(e.getMessage().contains("'hostile: spin'"), e.getMessage());
            assertEquals("initial", js.call("read"));
        }
    }

    /**
     * Start-up (engine, prelude, top-level code) runs under the policy's initialization limits: a
     * tight per-call timeout and fuel do not starve it, and a start-up that never ends is stopped
     * by them, named as initialization's.
     */
    @Test
    void startUpHasABudgetOfItsOwn() {
        // the engine's start-up (~1.9M units) and 3,000 iterations of top-level code (~5M units,
        // a few hundred ms metered): far more than 10 ms and 20,000 units of fuel
        String slowStart = "for (let i = 0; i < 3000; i++) {}\n" + SCRIPT;
        var tight = PluginPolicy.builder().timeout(Duration.ofMillis(10)).fuel(20_000);
        var starved = assertThrows(CallTimeoutException.class,
                () -> Engines.compiled().plugin("slow").policy(tight.build()).script(slowStart).build());
        assertEquals(LimitSource.POLICY, starved.source());
        try (var js = Engines.compiled().plugin("slow").policy(tight.initTimeout(Duration.ofSeconds(60)).build())
                .script(slowStart).build()) {
            assertTrue(js.plugin().fuelConsumedTotal() > 1_000_000, "start-up used " + js.plugin().fuelConsumedTotal());
            // the call's own tight limits apply again: whichever comes first
            var e = assertThrows(dev.corral.CorralException.class, () -> js.call("spin"));
            if (e instanceof FuelExhaustedException) {
                assertEquals(20_000, ((FuelExhaustedException) e).budget());
                assertEquals(LimitSource.POLICY, ((FuelExhaustedException) e).source());
            } else {
                assertEquals(Duration.ofMillis(10), assertInstanceOf(CallTimeoutException.class, e).timeout());
                assertEquals(LimitSource.POLICY, ((CallTimeoutException) e).source());
            }
        }
        var forever = assertThrows(CallTimeoutException.class, () -> Engines.compiled().plugin("forever")
                .policy(PluginPolicy.builder().timeout(Duration.ofSeconds(60)).initTimeout(Duration.ofMillis(200)).build())
                .script("while (true) {}").build());
        assertEquals(LimitSource.INITIALIZATION, forever.source());
        assertTrue(forever.getMessage().contains("forever: start-up"), forever.getMessage());
        var noFuel = assertThrows(FuelExhaustedException.class, () -> Engines.compiled().plugin("hungry")
                .policy(PluginPolicy.builder().fuel(1_000_000).timeout(Duration.ofSeconds(60)).build()).initFuel(5_000_000)
                .script("while (true) {}").build());
        assertEquals(LimitSource.INITIALIZATION, noFuel.source());
        assertEquals(5_000_000, noFuel.budget()); // one budget for all of start-up
    }

    @Test
    void oneCallCanCarryLimitsOfItsOwn() {
        try (var js = plugin(PluginPolicy.builder().fuel(2_000_000).timeout(Duration.ofSeconds(60)).build())) {
            var e = assertThrows(CallTimeoutException.class,
                    () -> js.callWithLimits(Duration.ofMillis(100), 1_000_000_000_000L, "spin"));
            assertEquals(Duration.ofMillis(100), e.timeout());
            assertEquals(LimitSource.CALL, e.source());
            assertEquals("initial", js.call("read"));
            var f = assertThrows(FuelExhaustedException.class, () -> js.callWithLimits(Duration.ofSeconds(60), 3_000_000, "spin"));
            assertEquals(3_000_000, f.budget());
            assertEquals(LimitSource.CALL, f.source());
            assertThrows(IllegalArgumentException.class, () -> js.callWithLimits(Duration.ZERO, 1, "read"));
        }
    }

    @Test
    void runawayRecursionIsJavaScriptsOwnCatchableRangeError() throws Throwable {
        onBigStack(() -> {
            try (var js = plugin(PluginPolicy.builder().fuel(100_000_000).timeout(Duration.ofSeconds(30)).build())) {
                js.call("touch", "kept");
                var e = assertThrows(JsException.class, () -> js.call("recurse"));
                assertEquals(JsException.Kind.STACK_OVERFLOW, e.kind());
                assertEquals("RangeError", e.jsName().orElseThrow());
                assertEquals("kept", js.call("read")); // the engine unwound: no reset needed
                assertEquals("RangeError: Maximum call stack size exceeded", js.call("catchRecursion"));
            }
        });
    }

    /** JavaScript frames cost JVM stack too (how much depends on the JIT): run deep code on a thread with room. */
    static void onBigStack(Runnable body) throws Throwable {
        var failure = new AtomicReference<Throwable>();
        var t = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "big-stack", 64L << 20);
        t.start();
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    @Test
    void aThreadWithATinyStackGetsStackExhaustedInstead() throws Exception {
        var result = new AtomicReference<Throwable>();
        var t = new Thread(null, () -> {
            try (var js = Engines.compiled().plugin("deep").stackLimit(512 * 1024)
                    .policy(PluginPolicy.builder().fuel(100_000_000).timeout(Duration.ofSeconds(30)).build()).script(SCRIPT).build()) {
                try {
                    js.call("recurse");
                } catch (Throwable e) {
                    result.set(e);
                }
                assertEquals("initial", js.call("read"));
            } catch (Throwable e) {
                result.set(new AssertionError("the plugin did not survive", e));
            }
        }, "small-stack", 768 * 1024);
        t.start();
        t.join();
        assertTrue(result.get() instanceof StackExhaustedException, String.valueOf(result.get()));
    }

    @Test
    void memoryBombHitsTheEnginesHeapLimit() {
        try (var js = plugin(PluginPolicy.builder().fuel(500_000_000).maxMemory(32 << 20).timeout(Duration.ofSeconds(30)).build())) {
            js.call("touch", "kept");
            var e = assertThrows(JsException.class, () -> js.call("bomb"));
            assertEquals(JsException.Kind.OUT_OF_MEMORY, e.kind());
            assertEquals("InternalError", e.jsName().orElseThrow());
            assertTrue(js.plugin().memoryPages() <= 512);
            assertEquals("kept", js.call("read"));
            assertEquals(1 << 20, js.eval("new Uint8Array(1 << 20).length")); // the garbage is gone
        }
    }

    @Test
    void memoryBombHitsTheSandboxLimitWhenTheEngineLimitIsHigher() {
        try (var js = Engines.compiled().plugin("bomb").memoryLimit(1L << 30)
                .policy(PluginPolicy.builder().fuel(500_000_000).maxMemory(24 << 20).timeout(Duration.ofSeconds(30)).build())
                .script(SCRIPT).build()) {
            var e = assertThrows(JsException.class, () -> js.call("bomb"));
            assertEquals(JsException.Kind.OUT_OF_MEMORY, e.kind()); // memory.grow failed: malloc said no
            assertTrue(js.plugin().memoryPages() <= 384, "pages: " + js.plugin().memoryPages());
            assertEquals("initial", js.call("read"));
        }
    }
}
