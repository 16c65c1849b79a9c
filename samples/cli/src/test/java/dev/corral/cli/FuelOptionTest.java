package dev.corral.cli;

import static dev.corral.cli.Cli.run;
import static dev.corral.cli.Cli.wasm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --fuel N} and {@code --stats}. */
class FuelOptionTest {
    private static final Pattern STATS = Pattern.compile("corral: stats: (fuel=(\\d+) )?time=\\d+\\.\\d{3}ms memory=(\\d+)\\n");

    private static Cli.Result runIn(boolean interpreter, String... args) {
        List<String> all = new ArrayList<>(List.of("run"));
        if (interpreter) {
            all.add("--interpreter");
        }
        all.addAll(Arrays.asList(args));
        return run(all.toArray(new String[0]));
    }

    private static Matcher stats(String line) {
        Matcher m = STATS.matcher(line);
        assertTrue(m.matches(), () -> "not a stats line: [" + line + "]");
        return m;
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void runawayCallStopsWithExitCode71AndTheFuelUsed(boolean interpreter) {
        runIn(interpreter, "--fuel", "5000", wasm("fuel"), "--invoke", "spin")
                .assertError(71, "fuel", "budget of 5000");
    }

    @Test
    void enoughFuelChangesNothing() {
        run("run", "--fuel", "1000000", wasm("fuel"), "--invoke", "count", "10").assertOk("45\n");
    }

    @Test
    void statsReportFuelOnlyWhenMeteredAndTheSameFuelInBothModes() {
        var compiled = runIn(false, "--fuel", "1000000", "--stats", wasm("fuel"), "--invoke", "count", "100");
        assertEquals(0, compiled.code(), compiled.err());
        assertEquals("4950\n", compiled.out());
        var m = stats(compiled.err());
        long fuel = Long.parseLong(m.group(2));
        assertTrue(fuel > 100, "a 100-iteration loop: " + fuel);
        assertEquals("2", m.group(3));

        var interpreted = runIn(true, "--fuel", "1000000", "--stats", wasm("fuel"), "--invoke", "count", "100");
        assertEquals(fuel, Long.parseLong(stats(interpreted.err()).group(2)), "same fuel interpreted");

        var unmetered = run("run", "--stats", wasm("fuel"), "--invoke", "count", "100");
        assertEquals("4950\n", unmetered.out());
        assertEquals(null, stats(unmetered.err()).group(1), "no fuel= without --fuel");
    }

    @Test
    void statsComeBeforeTheErrorLineWhenTheCallFails() {
        var r = run("run", "--fuel", "5000", "--stats", wasm("fuel"), "--invoke", "spin");
        assertEquals(71, r.code());
        String[] lines = r.err().split("\n");
        assertEquals(2, lines.length, r.err());
        assertTrue(Long.parseLong(stats(lines[0] + "\n").group(2)) > 5000);
        assertTrue(lines[1].startsWith("corral: fuel: "), lines[1]);
    }

    @Test
    void commandsAreMeteredToo() {
        var r = run("run", "--fuel", "1000000", "--stats", wasm("fuel"));
        assertEquals(0, r.code(), r.err());
        assertTrue(Long.parseLong(stats(r.err()).group(2)) > 100);
        run("run", "--fuel", "50", wasm("fuel")).assertError(71, "fuel", "_start");
    }

    @Test
    void statsCountEveryGuestCallBehindAnInputCall() {
        var r = run("run", "--fuel", "1000000", "--stats", wasm("abi_greet"), "--invoke", "greet", "--input", "world");
        assertEquals(0, r.code(), r.err());
        assertEquals("Hello, world!\n", r.out());
        long all = Long.parseLong(stats(r.err()).group(2));
        // the export alone, on an empty string and without the allocator calls around it, uses less
        var direct = run("run", "--fuel", "1000000", "--stats", wasm("abi_greet"), "--invoke", "greet", "0", "0");
        assertEquals(0, direct.code(), direct.err());
        long alone = Long.parseLong(stats(direct.err()).group(2));
        assertTrue(alone > 0 && all > alone, "ABI call " + all + " vs export alone " + alone);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "lots"})
    void fuelMustBeAPositiveNumber(String n) {
        run("run", "--fuel", n, wasm("fuel"), "--invoke", "count", "1").assertError(64, "usage", "fuel");
    }
}
