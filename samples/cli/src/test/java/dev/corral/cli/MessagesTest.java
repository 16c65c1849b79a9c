package dev.corral.cli;

import static dev.corral.cli.Cli.run;
import static dev.corral.cli.Cli.wasm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors in the user's language: what went wrong and which flag fixes it, never a Java class name. */
class MessagesTest {
    private static void noJava(Cli.Result r) {
        assertFalse(r.err().matches("(?s).*\\bjava\\.\\w.*"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(r.err().contains("is not a long"), r.err());
    }

    @Test
    void missingModuleFile(@TempDir Path dir) {
        var r = run("run", dir.resolve("absent.wasm").toString()).assertError(66, "io", "absent.wasm': no such file");
        noJava(r);
        noJava(run("inspect", dir.resolve("absent.wasm").toString()).assertError(66, "io", "no such file"));
    }

    @Test
    void aDirectoryIsNotAModule(@TempDir Path dir) {
        noJava(run("run", dir.toString()).assertError(66, "io", "is a directory"));
    }

    @Test
    void missingInputFile(@TempDir Path dir) {
        noJava(run("run", wasm("abi_greet"), "--invoke", "greet", "--input", "@" + dir.resolve("nope.txt"))
                .assertError(66, "io", "nope.txt': no such file"));
    }

    @Test
    void fuelThatIsNotANumber() {
        noJava(run("run", "--fuel", "abc", wasm("fuel")).assertError(64, "usage", "'abc' is not a number of fuel units"));
        noJava(run("run", "--fuel", "-5", wasm("fuel")).assertError(64, "usage", "positive"));
    }

    @Test
    void aPluginThatLogsNeedsTheLogFlag() {
        var r = run("run", wasm("logs"), "--invoke", "hello").assertError(65, "load", "corral_log.log");
        noJava(r);
        assertFalse(r.err().contains("hostModule"), r.err());
        assertFalse(r.err().contains("PluginPolicy"), r.err());
        r.assertError(65, "load", "grant logging with --log");
    }

    @Test
    void logRecordsGoToStderrOneLineEach() {
        var r = run("run", "--log", wasm("logs"), "--invoke", "hello");
        assertEquals(0, r.code(), r.err());
        assertEquals("INFO [logs] hello from the plugin\n", r.err());
        var quiet = run("run", "--log", wasm("logs"), "--invoke", "quiet");
        assertEquals("", quiet.err(), "debug is below the default level");
        var debug = run("run", "--log", "--log-level", "debug", wasm("logs"), "--invoke", "quiet");
        assertEquals("DEBUG [logs] hello from the plugin\n", debug.err());
        run("run", "--log", "--log-level", "loud", wasm("logs"), "--invoke", "quiet").assertError(64, "usage", "expected trace, debug, info, warn or error");
    }

    @Test
    void otherHostModulesAreNotSomethingTheCliCanGrant() {
        noJava(run("run", wasm("needs_host"), "--invoke", "run").assertError(65, "load", "the CLI provides no host modules but WASI"));
    }
}
