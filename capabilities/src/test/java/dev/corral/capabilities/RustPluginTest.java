package dev.corral.capabilities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.TrapException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fsdemo_rs.rs (Rust std, built from source by the build) under several grant sets. */
class RustPluginTest {
    private static Corral corral;
    private static PluginModule module;

    @TempDir
    Path base;
    Path data;

    @BeforeAll
    static void load() {
        corral = Corral.builder().build();
        module = corral.load(RustPluginTest.class.getResourceAsStream("/wasm/fsdemo_rs.wasm"));
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    @BeforeEach
    void files() throws Exception {
        data = Files.createDirectory(base.resolve("data"));
        Files.writeString(data.resolve("input.txt"), "hi");
        Files.writeString(base.resolve("outside.txt"), "secret");
    }

    private String run(Wasi.Builder wasi) {
        var out = WasiOutput.capture(1 << 16);
        try (var p = module.instantiate(PluginPolicy.builder().grant(wasi.stdout(out).build()).build())) {
            assertEquals(0, p.runMain());
        }
        return out.text();
    }

    @Test
    void stdFsEnvAndTimeSeeExactlyTheGrants() throws Exception {
        String ro = run(Wasi.builder().directory(data, "/data", Access.READ_ONLY));
        assertTrue(ro.contains("env GREETING: (unset)\n"), ro);
        assertTrue(ro.contains("realtime secs: 0\n"), ro);
        assertTrue(ro.contains("read: hi\n"), ro);
        assertTrue(ro.contains("write: Read-only file system (os error 69)\n"), ro);
        assertTrue(ro.contains("list: input.txt\n"), ro);
        assertTrue(ro.contains("escape: Capabilities insufficient (os error 76)\n"), ro);

        String rw = run(Wasi.builder().directory(data, "/data", Access.READ_WRITE).env("GREETING", "hey")
                .clock(WasiClock.fixed(Instant.parse("2020-01-01T00:00:00Z"))));
        assertTrue(rw.contains("env GREETING: hey\n"), rw);
        assertTrue(rw.contains("realtime secs: 1577836800\n"), rw);
        assertTrue(rw.contains("write: ok\n"), rw);
        assertTrue(rw.contains("list: input.txt output.txt\n"), rw);
        assertEquals("from rust\n", Files.readString(data.resolve("output.txt")));
        assertEquals("secret", Files.readString(base.resolve("outside.txt")));
    }

    @Test
    void stdHashMapNeedsARandomGrant() {
        // documented default: no random grant means random_get fails, and Rust's std panics
        var noRandom = PluginPolicy.builder().grant(Wasi.builder().args("hashmap").build()).build();
        try (var p = module.instantiate(noRandom)) {
            assertThrows(TrapException.class, p::runMain);
        }
        String out = run(Wasi.builder().args("hashmap").random(WasiRandom.seeded(0)));
        assertTrue(out.contains("hashmap: 1\n"), out);
    }
}
