package dev.corral.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.CallTimeoutException;
import dev.corral.FuelExhaustedException;
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
        // no fuel at all; the timeout also bounds each start-up step, so not too tight on a cold JVM
        try (var js = plugin(PluginPolicy.builder().timeout(Duration.ofSeconds(2)).build())) {
            long t0 = System.nanoTime();
            var e = assertThrows(CallTimeoutException.class, () -> js.call("spin"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 1_900 && ms < 10_000, "stopped after " + ms + " ms");
            assertTrue(e.getMessage().contains("'hostile: spin'"), e.getMessage());
            assertEquals("initial", js.call("read"));
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
