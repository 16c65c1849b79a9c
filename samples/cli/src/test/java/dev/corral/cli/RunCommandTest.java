package dev.corral.cli;

import static dev.corral.cli.Cli.run;
import static dev.corral.cli.Cli.wasm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunCommandTest {
    @TempDir
    Path tmp;

    /** Runs {@code corral run [--interpreter] ...}: every behaviour must hold in both execution modes. */
    private static Cli.Result runIn(boolean interpreter, String... args) {
        List<String> all = new ArrayList<>();
        all.add("run");
        if (interpreter) {
            all.add("--interpreter");
        }
        all.addAll(Arrays.asList(args));
        return run(all.toArray(new String[0]));
    }

    // ---- WASI commands ----

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void commandOutputGoesToStdoutAndItsExitCodePassesThrough(boolean interpreter) {
        var r = runIn(interpreter, wasm("hello_command"));
        assertEquals(3, r.code(), r.err());
        assertEquals("hello\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void commandStderrGoesToStderrAndNormalReturnIsZero() {
        var r = run("run", wasm("stderr_command"));
        assertEquals(0, r.code());
        assertEquals("", r.out());
        assertEquals("oops\n", r.err());
    }

    @Test
    void argumentsAfterTheModuleReachTheCommand() {
        // argv[0] is the plugin name, so argc = 1 + the words given
        assertEquals(1, run("run", wasm("argc_command")).code());
        assertEquals(3, run("run", wasm("argc_command"), "a", "b").code());
        assertEquals(4, run("run", wasm("argc_command"), "a", "--", "-b", "--c").code());
    }

    @Test
    void aModuleWithoutStartIsAUsageError() {
        run("run", wasm("numbers")).assertError(64, "usage", "'_start'");
    }

    /** A missing _start or import is known from the parse: reported before compiling (minutes for a big module). */
    @Test
    void missingStartAndUnlinkableImportsAreReportedBeforeCompiling() {
        var noStart = run("run", "--verbose", "--no-cache", wasm("numbers"));
        assertEquals(64, noStart.code(), noStart.err());
        assertTrue(noStart.err().contains("[corral] parsed 'numbers'"), noStart.err());
        assertTrue(noStart.err().contains("'_start'"), noStart.err());
        assertFalse(noStart.err().contains("[corral] loaded"), "nothing compiled: " + noStart.err());

        var unlinkable = run("run", "--verbose", "--no-cache", wasm("logs"), "--invoke", "hello");
        assertEquals(65, unlinkable.code(), unlinkable.err());
        assertTrue(unlinkable.err().contains("grant logging with --log"), unlinkable.err());
        assertFalse(unlinkable.err().contains("[corral] loaded"), "nothing compiled: " + unlinkable.err());

        var ok = run("run", "--verbose", "--no-cache", "--log", wasm("logs"), "--invoke", "hello");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.err().contains("[corral] loaded 'logs'"), ok.err());
    }

    // ---- --invoke: arguments per type, results on one line ----

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void invokesWithEveryNumericType(boolean interpreter) {
        runIn(interpreter, wasm("numbers"), "--invoke", "add", "2", "3").assertOk("5\n");
        runIn(interpreter, wasm("numbers"), "--invoke", "add64", "9223372036854775807", "-9223372036854775807").assertOk("0\n");
        runIn(interpreter, wasm("numbers"), "--invoke", "mulf", "1.5", "2.5").assertOk("3.75\n");
        runIn(interpreter, wasm("numbers"), "--invoke", "divd", "1", "4").assertOk("0.25\n");
    }

    @Test
    void integerArgumentsAcceptSignsHexAndUnsignedBits() {
        String m = wasm("numbers");
        run("run", m, "--invoke", "add", "-2", "-3").assertOk("-5\n");
        run("run", m, "--invoke", "add", "0xff", "+1").assertOk("256\n");
        // wasm integers are bits: the unsigned spelling of -1 is accepted and prints signed
        run("run", m, "--invoke", "add", "4294967295", "0").assertOk("-1\n");
        run("run", m, "--invoke", "add", "2147483647", "1").assertOk("-2147483648\n");
        run("run", m, "--invoke", "add64", "18446744073709551615", "2").assertOk("1\n");
        run("run", m, "--invoke", "add64", "0x7fffffffffffffff", "1").assertOk("-9223372036854775808\n");
    }

    @Test
    void floatArgumentsAcceptScientificAndSpecialValues() {
        String m = wasm("numbers");
        run("run", m, "--invoke", "divd", "-1.5e3", "2").assertOk("-750.0\n");
        run("run", m, "--invoke", "divd", "1", "0").assertOk("Infinity\n");
        run("run", m, "--invoke", "divd", "nan", "2").assertOk("NaN\n");
        // after '--' because picocli takes a word like -inf for an option
        run("run", m, "--invoke", "divd", "--", "-inf", "2").assertOk("-Infinity\n");
        run("run", m, "--invoke", "mulf", ".5", "0.5").assertOk("0.25\n");
        run("run", m, "--invoke", "mulf", "16777217", "1").assertOk("1.6777216E7\n");
    }

    @Test
    void multipleResultsAreSpaceSeparatedAndNoResultsPrintNothing() {
        run("run", wasm("numbers"), "--invoke", "split", "-3.75").assertOk("-3 -0.75\n");
        run("run", wasm("numbers"), "--invoke", "nothing").assertOk("");
    }

    @Test
    void optionsMayFollowTheModule() {
        run("run", wasm("numbers"), "--invoke", "add", "--timeout", "2s", "--max-memory", "64KiB", "1", "2").assertOk("3\n");
        run("run", "--timeout", "500ms", "--invoke", "add", wasm("numbers"), "1", "2").assertOk("3\n");
    }

    @Test
    void procExitInsideAnInvokedExportPassesThrough() {
        var r = run("run", wasm("numbers"), "--invoke", "exit_with", "7");
        assertEquals(7, r.code());
        assertEquals("", r.out());
    }

    // ---- 64: usage ----

    @Test
    void wrongArgumentCountIsAUsageError() {
        run("run", wasm("numbers"), "--invoke", "add", "1").assertError(64, "usage", "takes 2 arguments (i32, i32) -> (i32), got 1");
        run("run", wasm("numbers"), "--invoke", "add", "1", "2", "3").assertError(64, "usage", "got 3");
    }

    @Test
    void unknownExportIsAUsageErrorListingTheExports() {
        run("run", wasm("numbers"), "--invoke", "sub", "1", "2").assertError(64, "usage", "'sub'").assertError(64, "usage", "add (i32, i32) -> (i32)");
    }

    @Test
    void unparsableArgumentsAreUsageErrors() {
        String m = wasm("numbers");
        run("run", m, "--invoke", "add", "2", "x").assertError(64, "usage", "argument 2 of 'add'");
        run("run", m, "--invoke", "add", "1.5", "1").assertError(64, "usage", "'1.5' is not an i32");
        run("run", m, "--invoke", "add", "4294967296", "1").assertError(64, "usage", "out of range for i32");
        run("run", m, "--invoke", "add64", "18446744073709551616", "1").assertError(64, "usage", "out of range for i64");
        run("run", m, "--invoke", "divd", "1.5d", "1").assertError(64, "usage", "is not an f64");
        run("run", m, "--invoke", "mulf", "0x1p3", "1").assertError(64, "usage", "is not an f32");
    }

    @Test
    void badFlagsAndOptionValuesAreUsageErrors() {
        String m = wasm("numbers");
        run("run", "--bogus", m).assertError(64, "usage", "--bogus");
        run("run", "--timeout", "5", m).assertError(64, "usage", "--timeout");
        run("run", "--timeout", "0ms", m).assertError(64, "usage", "must be positive");
        run("run", "--max-memory", "lots", m).assertError(64, "usage", "--max-memory");
        run("run").assertError(64, "usage", "MODULE");
        run().assertError(64, "usage", "missing command");
        run("frobnicate").assertError(64, "usage", "frobnicate");
    }

    @Test
    void helpIsNotAnError() {
        var r = run("run", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--invoke"), r.out());
        assertTrue(run("--help").out().contains("73"), "the exit codes are listed");
    }

    // ---- 65: load ----

    @Test
    void malformedAndTruncatedModulesAreLoadErrors() throws IOException {
        Path garbage = Files.writeString(tmp.resolve("garbage.wasm"), "this is not wasm");
        run("run", garbage.toString()).assertError(65, "load", "malformed");

        byte[] hello = Files.readAllBytes(Path.of(wasm("hello_command")));
        Path truncated = Files.write(tmp.resolve("truncated.wasm"), Arrays.copyOf(hello, hello.length / 2));
        run("run", truncated.toString()).assertError(65, "load", "malformed");
        run("inspect", truncated.toString()).assertError(65, "load", "malformed");
    }

    @Test
    void invalidModuleIsALoadError() throws IOException {
        // (func (result i32)) with an empty body: well-formed, but leaves no i32 on the stack
        byte[] invalid = {
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> i32
            0x03, 0x02, 0x01, 0x00, // function section
            0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b // code section: no locals, end
        };
        Path p = Files.write(tmp.resolve("invalid.wasm"), invalid);
        run("run", p.toString()).assertError(65, "load", "invalid");
    }

    @Test
    void unlinkableModuleIsALoadErrorNamingTheMissingImport() {
        run("run", wasm("needs_host"), "--invoke", "run").assertError(65, "load", "env.get_secret");
    }

    @Test
    void moduleNeedingMoreMemoryThanAllowedIsALoadError() {
        run("run", "--max-memory", "128KiB", wasm("big_memory"), "--invoke", "pages").assertError(65, "load", "4 pages");
        run("run", "--max-memory", "1MiB", wasm("big_memory"), "--invoke", "pages").assertOk("4\n");
    }

    @Test
    void maxMemoryBoundsGrowth() {
        String m = wasm("traps"); // 1 page to start
        run("run", "--max-memory", "128KiB", m, "--invoke", "grow", "1").assertOk("1\n");
        run("run", "--max-memory", "128KiB", m, "--invoke", "grow", "2").assertOk("-1\n");
        run("run", "--max-memory", "131072", m, "--invoke", "grow", "2").assertOk("-1\n");
        run("run", "--max-memory", "1MiB", m, "--invoke", "grow", "2").assertOk("1\n");
    }

    // ---- 66: io ----

    @Test
    void unreadableModuleIsAnIoError() {
        run("run", tmp.resolve("missing.wasm").toString()).assertError(66, "io", "missing.wasm");
        run("run", tmp.toString()).assertError(66, "io", tmp.toString());
        run("inspect", tmp.resolve("missing.wasm").toString()).assertError(66, "io", "missing.wasm");
    }

    // ---- 70: trap ----

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void trapsExitWith70(boolean interpreter) {
        runIn(interpreter, wasm("traps"), "--invoke", "unreachable").assertError(70, "trap", "unreachable");
        runIn(interpreter, wasm("traps"), "--invoke", "div", "1", "0").assertError(70, "trap", "divide by zero");
        runIn(interpreter, wasm("traps"), "--invoke", "oob").assertError(70, "trap", "out of bounds");
    }

    @Test
    void verboseAddsTheStackTrace() {
        var r = run("run", "--verbose", wasm("traps"), "--invoke", "unreachable");
        assertEquals(70, r.code());
        assertTrue(r.err().contains("corral: trap: "), r.err());
        assertTrue(r.err().contains("\tat "), r.err());
        assertTrue(r.err().contains("dev.corral.TrapException"), r.err());
    }

    // ---- 72: timeout, 73: stack ----

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 30, unit = TimeUnit.SECONDS) // a safety net against a hang, not a speed check
    void runawayLoopStoppedByTimeout(boolean interpreter) {
        runIn(interpreter, "--timeout", "100ms", wasm("traps"), "--invoke", "spin").assertError(72, "timeout", "100ms");
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void runawayRecursionExhaustsTheStack(boolean interpreter) {
        runIn(interpreter, wasm("traps"), "--invoke", "recurse", "0").assertError(73, "stack", "recurse");
    }
}
