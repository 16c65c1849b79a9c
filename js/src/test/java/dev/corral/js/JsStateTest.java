package dev.corral.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.corral.FuelExhaustedException;
import dev.corral.PluginPolicy;
import dev.corral.capabilities.Wasi;
import dev.corral.capabilities.WasiClock;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Snapshots, start-up paid once, console output, seeded randomness and the virtual clock. */
class JsStateTest {
    private static final PluginPolicy POLICY = PluginPolicy.builder().fuel(20_000_000).timeout(Duration.ofSeconds(30)).build();

    @Test
    void snapshotsRestoreTheScriptsStateAnyNumberOfTimes() {
        try (var js = Engines.compiled().plugin("counter").policy(POLICY)
                .script("let n = 0; const log = []; function bump(x) { n += x; log.push(x); return n; }").build()) {
            js.call("bump", 1);
            var one = js.snapshot();
            js.call("bump", 10);
            var eleven = js.snapshot();
            js.call("bump", 100);
            js.restore(one);
            assertEquals(3, js.call("bump", 2));
            js.restore(eleven);
            assertEquals(List.of(1, 10), js.eval("log"));
            js.restore(one);
            js.restore(one);
            assertEquals(List.of(1), js.eval("log"));
            js.reset();
            assertEquals(0, js.eval("n"));
        }
    }

    @Test
    void startUpRunsOnceResetAndFailuresDoNotRunItAgain() {
        var lines = new ArrayList<String>();
        try (var js = Engines.compiled().plugin("once").policy(POLICY).console((l, m) -> lines.add(m))
                .script("console.log('top-level code ran'); let n = 0; function bump() { return ++n; } function spin() { for (;;) {} }").build()) {
            assertEquals(List.of("top-level code ran"), lines);
            js.call("bump");
            js.reset();
            assertEquals(1, js.call("bump"));
            assertThrows(FuelExhaustedException.class, () -> js.call("spin")); // restored, not restarted
            assertEquals(1, js.call("bump"));
            assertEquals(List.of("top-level code ran"), lines);
        }
    }

    @Test
    void aSetupCallMayGetMoreFuelThanTheRegularOnes() {
        var policy = PluginPolicy.builder().fuel(200_000).timeout(Duration.ofSeconds(30)).build();
        try (var js = Engines.compiled().plugin("setup").policy(policy) // start-up is not bound by the per-call fuel
                .script("let table = null; function setup(n) { table = []; for (let i = 0; i < n; i++) table.push(i * i); return table.length; }")
                .build()) {
            assertThrows(FuelExhaustedException.class, () -> js.call("setup", 5_000));
            assertEquals(5_000, js.callWithFuel(50_000_000, "setup", 5_000));
            assertEquals(24_990_001, js.eval("table[4999]"));
            assertThrows(FuelExhaustedException.class, () -> js.call("setup", 5_000)); // the budget was for that one call
        }
    }

    @Test
    void consoleOutputReachesTheHost() {
        var out = new ArrayList<String>();
        try (var js = Engines.compiled().plugin("talker").policy(POLICY).console((l, m) -> out.add(l + " " + m))
                .script("function talk() { console.log('hello', 42, 1.5, true, null, undefined, {a: [1]}); console.error('bad'); console.debug('dbg'); console.warn('w'); }")
                .build()) {
            js.call("talk");
            assertEquals(List.of("INFO hello 42 1.5 true null undefined {\"a\":[1]}", "ERROR bad", "DEBUG dbg", "WARNING w"), out);
        }
        assertEquals(Level.INFO, Level.valueOf("INFO"));
    }

    @Test
    void seededRandomIsReproducibleAndPerSeed() {
        String script = "function draw(n) { const out = []; for (let i = 0; i < n; i++) out.push(Math.random()); return out; }";
        List<?> a;
        List<?> b;
        List<?> c;
        try (var js = Engines.compiled().plugin("r").policy(POLICY).randomSeed(42).script(script).build()) {
            a = (List<?>) js.call("draw", 8);
        }
        try (var js = Engines.compiled().plugin("r").policy(POLICY).randomSeed(42).script(script).build()) {
            b = (List<?>) js.call("draw", 8);
        }
        try (var js = Engines.compiled().plugin("r").policy(POLICY).randomSeed(43).script(script).build()) {
            c = (List<?>) js.call("draw", 8);
        }
        assertEquals(a, b);
        assertNotEquals(a, c);
        for (Object x : a) {
            double d = ((Number) x).doubleValue();
            if (d < 0 || d >= 1) {
                throw new AssertionError("out of [0, 1): " + d);
            }
        }
    }

    @Test
    void dateFollowsTheGrantedVirtualClock() {
        var clock = WasiClock.virtual(Instant.parse("2030-01-01T00:00:00Z"));
        var policy = POLICY.toBuilder().grant(Wasi.builder().clock(clock).build()).build();
        try (var js = Engines.compiled().plugin("clock").policy(policy).script("function now() { return Date.now(); }").build()) {
            long start = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();
            assertEquals(start, ((Number) js.call("now")).longValue());
            clock.advance(Duration.ofMillis(250));
            assertEquals(start + 250, ((Number) js.call("now")).longValue());
        }
        try (var js = Engines.compiled().plugin("noclock").policy(POLICY).script("function now() { return Date.now(); }").build()) {
            assertEquals(0, js.call("now")); // no clock granted: the epoch, no host time leaks
        }
    }
}
