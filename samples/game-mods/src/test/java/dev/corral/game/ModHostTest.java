package dev.corral.game;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.capabilities.WasiClock;
import dev.corral.game.mods.Fault;
import dev.corral.game.mods.ModEvents;
import dev.corral.game.mods.ModHost;
import dev.corral.game.mods.ModSource;
import dev.corral.game.mods.ModStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mod host around a world, driven tick by tick: faults, rollback, deadlines, reloads, logs. */
class ModHostTest {
    /** What the host reported. */
    static final class Recorder implements ModEvents {
        final List<String> logs = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        final List<String> loaded = new ArrayList<>();
        final Map<String, List<Fault>> faults = new LinkedHashMap<>();

        @Override
        public void log(long tick, String mod, String line, boolean rolledBack) {
            logs.add(tick + " " + mod + (rolledBack ? " (rolled back)" : "") + ": " + line);
        }

        @Override
        public void loaded(String mod, String sha256) {
            loaded.add(mod);
        }

        @Override
        public void refused(String mod, String reason) {
            refused.add(mod + ": " + reason);
        }

        @Override
        public void fault(long tick, String mod, Fault kind, String message, boolean disabled) {
            faults.computeIfAbsent(mod, k -> new ArrayList<>()).add(kind);
        }
    }

    /** A world and a host over it. */
    static final class Game implements AutoCloseable {
        final World world = new World(48, 20, 11);
        final Recorder events = new Recorder();
        final ModHost<GameApi> host;
        long tick;

        Game(int maxFaults, long tickFuel, Duration tickTimeout) {
            host = ModHost.builder(TestGames.ENGINES.corral(false), new Session.GameBinding(world, 11))
                    .jsEngine(() -> TestGames.ENGINES.js(false))
                    .maxFaults(maxFaults).tickFuel(tickFuel).tickTimeout(tickTimeout).seed(11)
                    .clock(WasiClock.virtual(Instant.EPOCH)).events(events).build();
        }

        Game(int maxFaults) {
            this(maxFaults, 5_000_000, Duration.ofSeconds(30));
        }

        Game load(String... mods) {
            var sources = new ArrayList<ModSource>();
            for (String m : mods) {
                sources.add(new ModSource(m, TestGames.testMod(m)));
            }
            host.load(sources);
            return this;
        }

        void play(int ticks) {
            for (int i = 0; i < ticks; i++) {
                tick++;
                world.beginTick(tick);
                host.tick(tick);
                world.step();
            }
        }

        ModStatus status(String name) {
            return host.statuses().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        }

        @Override
        public void close() {
            host.close();
        }
    }

    @Test
    void modsFaultingEveryTickAreDisabledAfterKFaultsWhileTheOthersPlayOn() {
        try (var g = new Game(3).load("trap.wasm", "thrower.js", "quiet.wasm", "counter.js")) {
            g.play(10);
            var trap = g.status("trap");
            var thrower = g.status("thrower");
            assertFalse(trap.active());
            assertFalse(thrower.active());
            assertEquals(3, trap.faults());
            assertEquals(3, thrower.faults());
            assertEquals(0, trap.ticks());
            assertEquals(List.of(Fault.TRAP, Fault.TRAP, Fault.TRAP), g.events.faults.get("trap"));
            assertEquals(List.of(Fault.SCRIPT, Fault.SCRIPT, Fault.SCRIPT), g.events.faults.get("thrower"));
            assertTrue(trap.reason().startsWith("3 faults in a row; last: trap"), trap.reason());
            assertTrue(thrower.reason().contains("boom at 3"), thrower.reason());
            var quiet = g.status("quiet");
            assertTrue(quiet.active());
            assertEquals(10, quiet.ticks());
            assertEquals(0, quiet.faults());
            assertTrue(g.status("counter").active());
            assertEquals("mod trap: status=disabled ticks=0 faults=3 fuel=" + trap.fuel(), trap.line());
        }
    }

    @Test
    void aFaultedTickLeavesNoTraceInTheWorld() {
        String untouched;
        try (var g = new Game(100)) {
            g.host.load(List.of());
            g.play(6);
            untouched = WorldTest.digest(g.world);
        }
        // each of these changes the world (spawn, plant), then fails in its own way, every tick
        try (var g = new Game(100).load("trap.wasm", "spin.wasm", "thrower.js", "looper.js", "recurser.js", "hog.js", "async_thrower.js")) {
            g.play(6);
            assertEquals(untouched, WorldTest.digest(g.world));
            assertEquals(List.of(Fault.TRAP), distinct(g.events.faults.get("trap")));
            assertEquals(List.of(Fault.FUEL), distinct(g.events.faults.get("spin")));
            assertEquals(List.of(Fault.SCRIPT), distinct(g.events.faults.get("thrower")));
            assertEquals(List.of(Fault.FUEL), distinct(g.events.faults.get("looper")));
            assertEquals(List.of(Fault.SCRIPT), distinct(g.events.faults.get("recurser"))); // RangeError, caught by nobody
            assertEquals(List.of(Fault.SCRIPT), distinct(g.events.faults.get("hog"))); // InternalError: out of memory
            assertEquals(List.of(Fault.SCRIPT), distinct(g.events.faults.get("async_thrower"))); // a rejected promise
            for (ModStatus s : g.host.statuses()) {
                assertEquals(6, s.faults(), s.line());
                assertTrue(s.active(), s.line());
            }
        }
    }

    @Test
    void aFaultedTickDrawsNoRandomness() {
        // WASI random_get, game.random and Math.random are all rewound with the tick: a mod that
        // draws and then fails on odd ticks ends in the same world as one that never drew on them
        for (String[] pair : List.of(new String[] {"dice.wat", "dice_calm.wat"}, new String[] {"dice.js", "dice_calm.js"})) {
            String ext = pair[0].substring(pair[0].indexOf('.'));
            String failing;
            try (var g = new Game(2)) {
                g.host.load(List.of(new ModSource("dice" + (ext.equals(".wat") ? ".wasm" : ext), TestGames.testMod(pair[0].replace(".wat", ".wasm")))));
                g.play(10);
                assertEquals(5, g.status("dice").faults());
                failing = WorldTest.digest(g.world);
            }
            try (var g = new Game(2)) {
                g.host.load(List.of(new ModSource("dice" + (ext.equals(".wat") ? ".wasm" : ext), TestGames.testMod(pair[1].replace(".wat", ".wasm")))));
                g.play(10);
                assertEquals(0, g.status("dice").faults());
                assertEquals(WorldTest.digest(g.world), failing, pair[0]);
            }
        }
    }

    @Test
    void aFaultedTickLeavesNoTraceInTheMod() {
        // odd ticks change the mod's own state and then fail; even ticks check that only even ticks counted
        try (var g = new Game(2)) {
            g.host.load(List.of(new ModSource("wcounter.wasm", TestGames.testMod("counter.wasm")),
                    new ModSource("jcounter.js", TestGames.testMod("counter.js"))));
            g.play(10);
            for (String m : List.of("wcounter", "jcounter")) {
                var s = g.status(m);
                assertTrue(s.active(), s.line());
                assertEquals(5, s.ticks(), s.line());
                assertEquals(5, s.faults(), s.line());
            }
            assertEquals(2, g.host.statuses().size());
        }
    }

    @Test
    void theDeadlineStopsATickThatFuelWouldLetRunOn() {
        try (var g = new Game(2, Long.MAX_VALUE / 4, Duration.ofMillis(200)).load("looper.js", "spin.wasm", "quiet.wasm")) {
            long t0 = System.nanoTime();
            g.play(3);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(List.of(Fault.DEADLINE, Fault.DEADLINE), g.events.faults.get("looper"));
            assertEquals(List.of(Fault.DEADLINE, Fault.DEADLINE), g.events.faults.get("spin"));
            assertFalse(g.status("looper").active());
            assertEquals(3, g.status("quiet").ticks());
            assertTrue(ms < 20_000, ms + " ms");
            g.play(2); // and nothing lingers: the next ticks run clean
            assertEquals(5, g.status("quiet").ticks());
        }
    }

    @Test
    void modsThatBreakTheContractAreRefusedWithAReason() {
        try (var g = new Game(3).load("badimport.wasm", "noexport.wasm", "wrongsig.wasm", "initfail.wasm", "syntax.js", "noontick.js",
                "quiet.wasm")) {
            g.play(2);
            String all = String.join("\n", g.events.refused);
            assertTrue(all.contains("badimport: it imports env.system, but a mod may import only game, corral_log and wasi_snapshot_preview1"), all);
            assertTrue(all.contains("noexport: it exports no function on_tick(i64)"), all);
            assertTrue(all.contains("wrongsig: its on_tick is (i32) -> ()"), all);
            assertTrue(all.contains("initfail: ") && all.contains("on_load"), all);
            assertTrue(all.contains("syntax: ") && all.contains("SyntaxError"), all);
            assertTrue(all.contains("noontick: it defines no function onTick(tick)"), all);
            for (ModStatus s : g.host.statuses()) {
                assertEquals(!s.name().equals("quiet") ? false : true, s.active(), s.line());
            }
            assertTrue(g.status("syntax").reason().startsWith("not loaded: "));
            assertEquals(2, g.status("quiet").ticks());
        }
    }

    @Test
    void hotReloadSwapsInAGoodVersionAndRefusesABrokenOne() {
        try (var g = new Game(2)) {
            g.host.load(List.of(script("m.js", "function onTick(t) { game.log('v1 ' + t); }")));
            g.play(2);
            assertTrue(g.host.reload(script("m.js", "let n = 0; function onTick(t) { n++; game.log('v2 ' + t + ' #' + n); }")));
            g.play(2);
            // a broken version: refused, the good one keeps running (and keeps its state)
            assertFalse(g.host.reload(script("m.js", "function onTick(t) {")));
            assertFalse(g.host.reload(new ModSource("m.wasm", TestGames.testMod("badimport.wasm"))));
            assertFalse(g.host.reload(script("m.js", "throw new Error('top level')")));
            g.play(1);
            assertEquals(List.of("1 m: v1 1", "2 m: v1 2", "3 m: v2 3 #1", "4 m: v2 4 #2", "5 m: v2 5 #3"), g.events.logs);
            assertEquals(3, g.events.refused.size());
            assertTrue(g.events.refused.get(2).contains("top level"), g.events.refused.get(2));
            var m = g.status("m");
            assertTrue(m.active());
            assertEquals(5, m.ticks());
            // a reload brings a disabled mod back
            assertTrue(g.host.reload(script("m.js", "function onTick(t) { throw new Error('bad'); }")));
            g.play(2);
            assertFalse(g.status("m").active());
            assertTrue(g.host.reload(script("m.js", "function onTick(t) {}")));
            g.play(1);
            assertTrue(g.status("m").active());
            assertEquals(6, g.status("m").ticks());
            assertEquals(2, g.status("m").faults());
            // a wasm version of the same mod
            assertTrue(g.host.reload(new ModSource("m.wasm", TestGames.testMod("quiet.wasm"))));
            g.play(1);
            assertEquals(7, g.status("m").ticks());
        }
    }

    @Test
    void logsAreAttributedBoundedAndMarkedWhenRolledBack() {
        try (var g = new Game(5).load("chatty.js", "counter.js")) {
            g.play(2);
            var chatty = g.events.logs.stream().filter(l -> l.contains(" chatty")).toList();
            assertEquals("0 chatty: loaded", chatty.get(0));
            assertEquals("1 chatty: tick 1 via game.log", chatty.get(1));
            assertEquals("1 chatty: line 18", chatty.get(20));
            assertEquals("1 chatty: (11 more lines dropped: at most 20 per tick)", chatty.get(21));
            assertEquals(1 + 2 * 21, chatty.size());
        }
        try (var g = new Game(5)) {
            g.host.load(List.of(script("oops.js", "function onTick(t) { console.warn('about to fail'); null.x; }")));
            g.play(1);
            assertEquals(List.of("1 oops (rolled back): warn: about to fail"), g.events.logs);
        }
    }

    static List<Fault> distinct(List<Fault> l) {
        return l == null ? List.of() : l.stream().distinct().toList();
    }

    static ModSource script(String file, String text) {
        return new ModSource(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
