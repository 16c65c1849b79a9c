package dev.corral.capabilities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fsdemo.c (built from source by the build with Debian's clang and wasi-libc) run under several
 * grant sets: what it prints is what the grants let it do.
 */
class CPluginTest {
    private static Corral corral;
    private static PluginModule module;

    @TempDir
    Path base;
    Path data;
    Map<String, String> before;

    @BeforeAll
    static void load() {
        corral = Corral.builder().build();
        module = corral.load(CPluginTest.class.getResourceAsStream("/wasm/fsdemo.wasm"));
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    @BeforeEach
    void files() throws Exception {
        data = Files.createDirectory(base.resolve("data"));
        Files.writeString(data.resolve("input.txt"), "hello from the host");
        Files.createDirectory(data.resolve("sub"));
        Files.writeString(base.resolve("outside.txt"), "secret");
        Files.createSymbolicLink(data.resolve("escape"), Path.of(".."));
        before = Probe.snapshot(base);
    }

    private String run(Wasi.Builder wasi, int expectedExit) {
        var out = WasiOutput.capture(1 << 16);
        var w = wasi.stdout(out).build();
        try (var p = module.instantiate(PluginPolicy.builder().grant(w).build())) {
            assertEquals(expectedExit, p.runMain());
        }
        return out.text();
    }

    @Test
    void withNoGrantsItSeesNothing() {
        String out = run(Wasi.builder(), 0);
        assertTrue(out.contains("argv: [" + module.name() + "]\n"), out);
        assertTrue(out.contains("env GREETING: (unset)\n"), out);
        assertTrue(out.contains("env HOME: (unset)\n"), "the host's environment never leaks: " + out);
        assertTrue(out.contains("realtime: 0.000000000\n"), out);
        assertTrue(out.contains("monotonic: 0.000000000\n"), out);
        assertTrue(out.contains("random: Capabilities insufficient\n"), out);
        assertTrue(out.contains("list /data: Capabilities insufficient\n"), out);
        assertTrue(out.contains("read /data/input.txt: Capabilities insufficient\n"), out);
        assertTrue(out.contains("write /data/output.txt: Capabilities insufficient\n"), out);
        assertEquals(before, Probe.snapshot(base));
    }

    @Test
    @SuppressWarnings("deprecation") // the legacy setting is the only way to see the core stub's output
    void noWasiCapabilityAtAllBehavesLikeAnEmptyGrant() {
        var out = new java.io.ByteArrayOutputStream();
        try (var p = module.instantiate(PluginPolicy.builder().stdout(out).build())) {
            assertEquals(0, p.runMain());
        }
        assertEquals(run(Wasi.builder(), 0), out.toString(java.nio.charset.StandardCharsets.UTF_8),
                "core's deny-by-default stub and an empty Wasi grant answer alike");
        assertEquals(before, Probe.snapshot(base));
    }

    @Test
    void readOnlyGrantReadsButCannotWriteOrLeave() {
        String out = run(Wasi.builder().directory(data, "/data", Access.READ_ONLY), 0);
        assertTrue(out.contains("list /data: escape input.txt sub\n"), out);
        assertTrue(out.contains("read /data/input.txt: hello from the host\n"), out);
        assertTrue(out.contains("write /data/output.txt: Read-only file system\n"), out);
        assertTrue(out.contains("read /data/../outside.txt: Capabilities insufficient\n"), out);
        assertTrue(out.contains("read /data/escape/outside.txt: Capabilities insufficient\n"), out);
        assertTrue(out.contains("write /data/../planted.txt: Read-only file system\n"), out);
        assertEquals(before, Probe.snapshot(base));
    }

    @Test
    void readWriteGrantWritesInsideOnly() throws Exception {
        String out = run(Wasi.builder().directory(data, "/data", Access.READ_WRITE), 0);
        assertTrue(out.contains("write /data/output.txt: ok\n"), out);
        assertEquals("written by plugin\n", Files.readString(data.resolve("output.txt")));
        assertTrue(out.contains("read /data/../outside.txt: Capabilities insufficient\n"), out);
        assertTrue(out.contains("read /data/escape/outside.txt: Capabilities insufficient\n"), out);
        assertTrue(out.contains("write /data/../planted.txt: Capabilities insufficient\n"), out);
        assertFalse(Files.exists(base.resolve("planted.txt")));
        assertEquals("secret", Files.readString(base.resolve("outside.txt")));
    }

    @Test
    void envArgsClockAndRandomAreExactlyWhatWasGranted() {
        String out = run(Wasi.builder()
                .env("GREETING", "hi")
                .args("one", "two words")
                .clock(WasiClock.fixed(Instant.parse("2020-01-01T00:00:00Z")))
                .random(WasiRandom.seeded(7)), 0);
        assertTrue(out.contains("argv: [" + module.name() + "] [one] [two words]\n"), out);
        assertTrue(out.contains("env GREETING: hi\n"), out);
        assertTrue(out.contains("env HOME: (unset)\n"), out);
        assertTrue(out.contains("realtime: 1577836800.000000000\n"), out);
        assertTrue(out.contains("monotonic: 0.000000000\n"), out);
        assertFalse(out.contains("random: Capabilities"), out);
    }

    @Test
    void fixedClockAndSeededRandomMakeRunsIdentical() {
        var t = Instant.parse("2021-06-01T12:00:00Z");
        String a = run(Wasi.builder().directory(data, "/data", Access.READ_ONLY)
                .clock(WasiClock.fixed(t)).random(WasiRandom.seeded(99)), 0);
        String b = run(Wasi.builder().directory(data, "/data", Access.READ_ONLY)
                .clock(WasiClock.fixed(t)).random(WasiRandom.seeded(99)), 0);
        assertEquals(a, b);
        String c = run(Wasi.builder().directory(data, "/data", Access.READ_ONLY)
                .clock(WasiClock.fixed(t)).random(WasiRandom.seeded(100)), 0);
        assertNotEquals(a, c, "the random line depends on the seed");
    }

    @Test
    void theInterpreterSeesTheSameGrants() {
        var t = Instant.parse("2021-06-01T12:00:00Z");
        String compiled = run(Wasi.builder().directory(data, "/data", Access.READ_ONLY)
                .clock(WasiClock.fixed(t)).random(WasiRandom.seeded(1)), 0);
        try (var interp = Corral.builder().executionMode(dev.corral.ExecutionMode.INTERPRETED).build()) {
            var m = interp.load(CPluginTest.class.getResourceAsStream("/wasm/fsdemo.wasm"));
            var out = WasiOutput.capture(1 << 16);
            try (var p = m.instantiate(PluginPolicy.builder().grant(Wasi.builder().directory(data, "/data", Access.READ_ONLY)
                    .clock(WasiClock.fixed(t)).random(WasiRandom.seeded(1)).stdout(out).build()).build())) {
                assertEquals(0, p.runMain());
            }
            assertEquals(compiled, out.text());
        }
    }

    @Test
    void theExitCodePassesThroughAndStderrIsSeparate() {
        var err = WasiOutput.capture(100);
        String out = run(Wasi.builder().args("fail").stderr(err), 7);
        assertTrue(out.startsWith("argv: [" + module.name() + "] [fail]\n"), out);
        assertEquals("done\n", err.text());
    }

    @Test
    void strictModeRefusesTheModuleUnderAnEmptyGrant() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.corral.UnlinkableModuleException.class,
                () -> module.instantiate(PluginPolicy.builder().grant(Wasi.builder().strict(true).build()).build()));
        assertTrue(e.getMessage().contains("random_get"), e.getMessage());
        try (var p = module.instantiate(PluginPolicy.builder().grant(Wasi.builder().strict(true)
                .directory(data, "/data", Access.READ_WRITE).env("GREETING", "x")
                .clock(WasiClock.system()).random(WasiRandom.secure()).build()).build())) {
            assertEquals(0, p.runMain(), "fully granted, strict is satisfied");
        }
    }
}
