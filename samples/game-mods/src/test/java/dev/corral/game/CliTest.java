package dev.corral.game;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The command line's contract: options, exit codes, output lines, determinism, record/replay, --watch. */
class CliTest {
    private static final Pattern MOD_LINE = Pattern.compile("mod [a-z]+: status=(active|disabled) ticks=\\d+ faults=\\d+ fuel=\\d+");

    @Test
    void theShippedModsPlayAndTheRunEndsWithOneLinePerModAndTheHash() {
        var r = TestGames.run("--mods", TestGames.modsDir("shipped").toString(), "--ticks", "30", "--seed", "42");
        assertEquals(0, r.code(), r.err());
        var tail = r.tail(4);
        for (int i = 0; i < 4; i++) {
            assertTrue(MOD_LINE.matcher(tail.get(i)).matches(), tail.get(i));
            assertTrue(tail.get(i).contains("status=active ticks=30 faults=0"), tail.get(i));
        }
        assertEquals(List.of("mod culler", "mod gardener", "mod healer", "mod shepherd"),
                tail.subList(0, 4).stream().map(l -> l.substring(0, l.indexOf(':'))).toList());
        assertTrue(r.hash().matches("[0-9a-f]{64}"), r.hash());
        assertTrue(r.err().contains("gardener: ready on a 48x20 world"), r.err()); // JS onLoad, console.log
        assertTrue(r.err().contains("healer: watching over"), r.err()); // Rust, corral_log
        assertTrue(r.err().contains("shepherd: ready to herd"), r.err()); // C, game.log
    }

    @Test
    void aSeedFixesTheOutcome() {
        String dir = TestGames.modsDir("shipped", "counter.wasm", "thrower.js").toString();
        var a = TestGames.run("--mods", dir, "--ticks", "20", "--seed", "7", "--quiet");
        var b = TestGames.run("--mods", dir, "--ticks", "20", "--seed", "7", "--quiet");
        var c = TestGames.run("--mods", dir, "--ticks", "20", "--seed", "8", "--quiet");
        assertEquals(a.tail(6), b.tail(6)); // the hash and every mod's line, fuel included
        assertNotEquals(a.hash(), c.hash());
    }

    @Test
    void compiledAndInterpretedRunsEndInTheSameState() {
        String dir = TestGames.modsDir("shipped", "counter.wasm", "thrower.js", "trap.wasm").toString();
        var compiled = TestGames.run("--mods", dir, "--ticks", "12", "--seed", "5", "--quiet");
        var interpreted = TestGames.run("--mods", dir, "--ticks", "12", "--seed", "5", "--quiet", "--interpreter");
        assertEquals(0, interpreted.code(), interpreted.err());
        assertEquals(compiled.tail(7), interpreted.tail(7)); // fuel is deterministic across modes too
    }

    @Test
    void aReplayEndsInTheRecordedState() throws Exception {
        Path rec = Files.createTempFile("corral-game", ".rec");
        String dir = TestGames.modsDir("shipped", "counter.js", "trap.wasm").toString();
        var recorded = TestGames.run("--mods", dir, "--ticks", "25", "--seed", "99", "--record", rec.toString(), "--quiet");
        assertEquals(0, recorded.code(), recorded.err());
        var replayed = TestGames.run("--replay", rec.toString(), "--quiet");
        assertEquals(0, replayed.code(), replayed.err());
        assertEquals(recorded.tail(6), replayed.tail(6));
        assertTrue(!replayed.err().contains("diverged"), replayed.err());
        // the same flags may be given again; other ones are a usage error
        assertEquals(recorded.hash(), TestGames.run("--mods", dir, "--ticks", "25", "--seed", "99", "--replay", rec.toString(), "--quiet").hash());
        assertEquals(64, TestGames.run("--replay", rec.toString(), "--seed", "98").code());
        assertEquals(64, TestGames.run("--replay", rec.toString(), "--mods", TestGames.modsDir("quiet.wasm").toString()).code());
        // a recording carries its mods: the directory is not needed any more
        String text = Files.readString(rec);
        assertTrue(text.startsWith("corral-game-recording 1\n"), text.substring(0, 40));
        assertTrue(text.contains("\nhash 25 " + recorded.hash() + "\n"));
        assertTrue(text.endsWith("end " + recorded.hash() + "\n"));
        // a tampered recording is refused, not replayed
        Files.writeString(rec, text.replace("setting ticks 25", "setting ticks"));
        assertEquals(65, TestGames.run("--replay", rec.toString()).code());
        Files.writeString(rec, "not a recording\n");
        var bad = TestGames.run("--replay", rec.toString());
        assertEquals(65, bad.code());
        assertTrue(bad.err().contains("is not a corral-game recording"), bad.err());
    }

    @Test
    void disabledModsDoNotChangeTheExitCode() {
        var r = TestGames.run("--mods", TestGames.modsDir("trap.wasm", "thrower.js", "quiet.wasm").toString(), "--ticks", "6",
                "--seed", "1", "--max-faults", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.tail(3).get(0).startsWith("mod quiet: status=active ticks=6 faults=0 fuel="), r.out());
        assertTrue(r.tail(3).get(1).startsWith("mod thrower: status=disabled ticks=0 faults=2 fuel="), r.out());
        assertTrue(r.tail(3).get(2).startsWith("mod trap: status=disabled ticks=0 faults=2 fuel="), r.out());
        assertTrue(r.err().contains("[tick 2] thrower faulted (script): JavaScript plugin 'thrower' threw Error: boom at 2; tick rolled back; mod disabled"),
                r.err());
    }

    @Test
    void theTickFuelIsEachModsBudget() {
        var tight = TestGames.run("--mods", TestGames.modsDir("shipped").toString(), "--ticks", "3", "--seed", "3", "--tick-fuel", "2000",
                "--max-faults", "1");
        assertEquals(0, tight.code(), tight.err());
        // loading has its own budget (--load-fuel), so every mod loads; a JS tick needs more than 2000
        assertTrue(tight.out().contains("mod gardener: status=disabled ticks=0 faults=1 fuel="), tight.out() + tight.err());
        assertTrue(tight.err().contains("gardener faulted (fuel)"), tight.err());
        assertTrue(tight.out().contains("mod culler: status=active ticks=3 faults=0"), tight.out()); // it does little on most ticks
        assertTrue(!tight.err().contains("refused"), tight.err());
    }

    @Test
    void renderPrintsAFrameEveryNTicks() {
        var r = TestGames.run("--mods", TestGames.modsDir("quiet.wasm").toString(), "--ticks", "20", "--seed", "2", "--render", "10");
        assertEquals(0, r.code(), r.err());
        var frames = r.lines().stream().filter(l -> l.startsWith("tick ")).toList();
        assertEquals(3, frames.size(), r.out());
        assertTrue(frames.get(2).startsWith("tick 20  creatures "), frames.get(2));
        assertEquals("+" + "-".repeat(48) + "+", r.lines().get(1));
        assertEquals(2 * 3 + 20 * 3, r.lines().stream().filter(l -> l.startsWith("+") || l.startsWith("|")).count());
    }

    @Test
    void usageErrorsExit64() {
        String dir = TestGames.modsDir("quiet.wasm").toString();
        List<String[]> bad = List.of(
                new String[] {},
                new String[] {"--mods", dir, "--ticks", "5"},
                new String[] {"--mods", dir, "--ticks", "-1", "--seed", "1"},
                new String[] {"--mods", dir, "--ticks", "five", "--seed", "1"},
                new String[] {"--mods", dir, "--ticks", "5", "--seed", "1", "--max-faults", "0"},
                new String[] {"--mods", dir, "--ticks", "5", "--seed", "1", "--tick-fuel", "0"},
                new String[] {"--mods", dir, "--ticks", "5", "--seed", "1", "--render", "0"},
                new String[] {"--mods", dir, "--ticks", "5", "--seed", "1", "--record", "a", "--replay", "b"},
                new String[] {"--mods", dir + "/nope", "--ticks", "5", "--seed", "1"},
                new String[] {"--mods", dir, "--ticks", "5", "--seed", "1", "--frobnicate"},
                new String[] {"--mods", dir, "--ticks", "5", "--seed", "1", "--size", "3x3"});
        for (String[] args : bad) {
            var r = TestGames.run(args);
            assertEquals(64, r.code(), String.join(" ", args) + "\n" + r.err());
            assertTrue(r.err().startsWith("corral-game: "), r.err());
        }
        assertEquals(0, TestGames.run("--help").code());
    }

    @Test
    void watchReloadsAChangedModAtTheNextTickAndRefusesABrokenOne() throws Exception {
        Path dir = Files.createTempDirectory("corral-game-watch");
        Path rec = Files.createTempFile("corral-game-watch", ".rec");
        Path mod = dir.resolve("m.js");
        Files.writeString(mod, "function onTick(t) { game.log('v1'); }");
        var out = new ByteArrayOutputStream();
        var errBytes = new ByteArrayOutputStream(); // synchronized: polled while the game writes
        int[] code = {-1};
        var runner = new Thread(() -> {
            try (var o = new PrintStream(out, true, StandardCharsets.UTF_8); var e = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
                code[0] = Main.execute(new String[] {"--mods", dir.toString(), "--ticks", "80", "--seed", "4", "--watch", "--pace", "40",
                        "--record", rec.toString()}, o, e, TestGames.ENGINES);
            }
        }, "game-under-watch");
        runner.start();
        awaitText(errBytes, "m: v1");
        Files.writeString(mod, "function onTick(t) { game.log('v2'); }");
        awaitText(errBytes, "m: v2");
        Files.writeString(mod, "function onTick(t) { game.log('v3' ");
        awaitText(errBytes, "mod m refused");
        runner.join(120_000);
        var r = new TestGames.Run(code[0], out.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        assertEquals(0, r.code(), r.err());
        String err = r.err();
        assertTrue(err.contains("m.js changed, reloading"), err);
        assertTrue(err.contains("m: v1") && err.contains("m: v2"), err);
        assertTrue(err.contains("mod m refused: ") && err.contains("SyntaxError"), err);
        assertTrue(!err.contains("m: v3"), err);
        // v2 ran until the end: the broken version never replaced it
        var lines = err.lines().filter(l -> l.contains("] m: v")).toList();
        assertTrue(lines.get(lines.size() - 1).endsWith("m: v2"), lines.get(lines.size() - 1));
        assertTrue(lines.get(lines.size() - 1).startsWith("[tick 80]"), lines.get(lines.size() - 1));
        assertTrue(r.out().contains("mod m: status=active ticks=80 faults=0"), r.out());
        // the recording holds the reloads: a replay makes them at the same ticks and ends alike
        var replayed = TestGames.run("--replay", rec.toString());
        assertEquals(0, replayed.code(), replayed.err());
        assertEquals(r.tail(1), replayed.tail(1));
        assertTrue(replayed.err().contains("reloading m.js as recorded"), replayed.err());
        assertEquals(lines, replayed.err().lines().filter(l -> l.contains("] m: v")).toList());
    }

    private static void awaitText(ByteArrayOutputStream err, String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!err.toString(StandardCharsets.UTF_8).contains(text)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("never saw '" + text + "' in:\n" + err.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(20);
        }
    }

    @Test
    void theProcessExitsWithTheContractsCodes() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        var usage = new ProcessBuilder(java, "-cp", cp, "dev.corral.game.Main", "--ticks", "3").redirectErrorStream(true).start();
        assertTrue(usage.waitFor(60, TimeUnit.SECONDS));
        assertEquals(64, usage.exitValue());
        var args = new ArrayList<>(List.of(java, "-cp", cp, "dev.corral.game.Main", "--mods", TestGames.modsDir("quiet.wasm", "trap.wasm").toString(),
                "--ticks", "4", "--seed", "9", "--no-cache"));
        var ok = new ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ok.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, ok.exitValue(), out);
        var lines = out.lines().toList();
        assertEquals(3, lines.size(), out);
        assertTrue(lines.get(0).startsWith("mod quiet: status=active ticks=4 faults=0 fuel="), out);
        assertTrue(lines.get(1).startsWith("mod trap: status=disabled ticks=0 faults=3 fuel="), out);
        assertTrue(lines.get(2).matches("state sha256=[0-9a-f]{64}"), out);
    }
}
