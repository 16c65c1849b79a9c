package dev.corral.cli;

import static dev.corral.cli.Cli.run;
import static dev.corral.cli.Cli.wasm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grant flags end to end, with the capabilities module's C plugin (fsdemo.c: args, env,
 * clocks, random, list/read/write of /data, and escape attempts).
 */
class GrantFlagsTest {
    @TempDir
    Path base;
    Path data;

    @BeforeEach
    void files() throws Exception {
        data = Files.createDirectory(base.resolve("data"));
        Files.writeString(data.resolve("input.txt"), "from the host");
        Files.writeString(base.resolve("outside.txt"), "secret");
    }

    private String dir(String suffix) {
        return data + "::/data" + suffix;
    }

    @Test
    void withoutFlagsNothingIsGranted() {
        var r = run("run", wasm("fsdemo"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("env GREETING: (unset)\n"), r.out());
        assertTrue(r.out().contains("realtime: 0.000000000\n"), r.out());
        assertTrue(r.out().contains("random: Capabilities insufficient\n"), r.out());
        assertTrue(r.out().contains("read /data/input.txt: Capabilities insufficient\n"), r.out());
        assertEquals("done\n", r.err(), "stderr is the CLI's own");
    }

    @Test
    void dirIsReadOnlyByDefault() throws Exception {
        var r = run("run", "--dir", dir(""), wasm("fsdemo"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("list /data: input.txt\n"), r.out());
        assertTrue(r.out().contains("read /data/input.txt: from the host\n"), r.out());
        assertTrue(r.out().contains("write /data/output.txt: Read-only file system\n"), r.out());
        assertFalse(Files.exists(data.resolve("output.txt")));
        assertEquals(r.out(), run("run", "--dir", dir(":ro"), wasm("fsdemo")).out(), ":ro is the default");
    }

    @Test
    void dirRwWritesInsideOnly() throws Exception {
        var r = run("run", "--dir", dir(":rw"), wasm("fsdemo"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("write /data/output.txt: ok\n"), r.out());
        assertEquals("written by plugin\n", Files.readString(data.resolve("output.txt")));
        assertTrue(r.out().contains("read /data/../outside.txt: Capabilities insufficient\n"), r.out());
        assertTrue(r.out().contains("write /data/../planted.txt: Capabilities insufficient\n"), r.out());
        assertFalse(Files.exists(base.resolve("planted.txt")));
    }

    @Test
    void theGuestPathDefaultsToTheHostPath() {
        var r = run("run", "--dir", data.toString(), "--env", "LIST=" + data, wasm("fsdemo"));
        assertTrue(r.out().contains("list " + data + ": input.txt\n"), r.out());
    }

    @Test
    void envArgsClockAndRandom() {
        var r = run("run", "--env", "GREETING=hi there", "--arg", "first", "--clock", "fixed:2020-01-01T00:00:00Z",
                "--random", "seed:5", wasm("fsdemo"), "second");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s)argv: \\[[^\\]]+\\] \\[first\\] \\[second\\]\n.*"), r.out());
        assertTrue(r.out().contains("env GREETING: hi there\n"), r.out());
        assertTrue(r.out().contains("env HOME: (unset)\n"), "never the host's environment: " + r.out());
        assertTrue(r.out().contains("realtime: 1577836800.000000000\n"), r.out());
        assertFalse(r.out().contains("random: Capabilities"), r.out());
        var again = run("run", "--env", "GREETING=hi there", "--arg", "first", "--clock", "fixed:2020-01-01T00:00:00Z",
                "--random", "seed:5", wasm("fsdemo"), "second");
        assertEquals(r.out(), again.out(), "fixed clock + seeded random: identical runs");
        var other = run("run", "--clock", "fixed:2020-01-01T00:00:00Z", "--random", "seed:6", wasm("fsdemo"));
        assertNotEquals(r.out().lines().filter(l -> l.startsWith("random:")).findFirst(),
                other.out().lines().filter(l -> l.startsWith("random:")).findFirst());
    }

    @Test
    void systemClockAndSecureRandomAreAccepted() {
        var r = run("run", "--clock", "system", "--random", "secure", wasm("fsdemo"));
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("realtime: 0.000000000"), r.out());
    }

    @Test
    void theGuestsExitCodePassesThrough() {
        assertEquals(7, run("run", wasm("fsdemo"), "fail").code());
    }

    @Test
    void strictRefusesUncoveredImports() {
        run("run", "--strict", wasm("fsdemo")).assertError(65, "load", "random_get");
        var r = run("run", "--strict", "--dir", dir(":rw"), "--env", "GREETING=x", "--clock", "system",
                "--random", "secure", wasm("fsdemo"));
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void verboseListsDeniedCalls() {
        var r = run("run", "--verbose", wasm("fsdemo"));
        assertTrue(r.err().contains("[corral] denied WASI calls: {"), r.err());
        assertTrue(r.err().contains("random_get=1"), r.err());
    }

    @Test
    void badGrantFlagsAreUsageErrors() {
        run("run", "--dir", base.resolve("missing").toString(), wasm("fsdemo")).assertError(64, "usage", "missing");
        run("run", "--dir", "::/x", wasm("fsdemo")).assertError(64, "usage", "--dir");
        run("run", "--env", "NOEQUALS", wasm("fsdemo")).assertError(64, "usage", "NAME=VALUE");
        run("run", "--clock", "lunar", wasm("fsdemo")).assertError(64, "usage", "--clock");
        run("run", "--clock", "fixed:yesterday", wasm("fsdemo")).assertError(64, "usage", "ISO instant");
        run("run", "--random", "seed:x", wasm("fsdemo")).assertError(64, "usage", "seed");
        run("run", "--random", "dice", wasm("fsdemo")).assertError(64, "usage", "--random");
    }
}
