package dev.corral.cli;

import static dev.corral.cli.Cli.run;
import static dev.corral.cli.Cli.wasm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persistent compile cache: on by default, in the XDG cache directory, skipped with --no-cache. */
class CacheOptionTest {
    private static long entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).count();
        }
    }

    @Test
    void theDefaultDirectoryFollowsXdg() {
        assertEquals(Path.of("/x/cache/corral"), CompileCaches.defaultDirectory(Map.of("XDG_CACHE_HOME", "/x/cache"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/corral"), CompileCaches.defaultDirectory(Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/corral"), CompileCaches.defaultDirectory(Map.of("XDG_CACHE_HOME", "rel"), "/home/u"),
                "a relative XDG_CACHE_HOME is ignored, as the spec says");
    }

    @Test
    void byDefaultTheSecondRunIsACacheHit() throws IOException {
        // surefire sets XDG_CACHE_HOME to target/xdg-cache for this module's tests
        Path dir = Path.of(System.getenv("XDG_CACHE_HOME"), "corral");
        var first = run("run", "--verbose", wasm("numbers"), "--invoke", "add", "1", "2");
        assertEquals(0, first.code(), first.err());
        assertTrue(entries(dir) > 0, "compiled code is kept in " + dir);
        var second = run("run", "--verbose", wasm("numbers"), "--invoke", "add", "1", "2");
        assertEquals("3\n", second.out());
        assertTrue(second.err().contains("from the compile cache"), second.err());
    }

    @Test
    void cacheDirAndNoCache(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("c");
        run("run", "--cache-dir", dir.toString(), wasm("numbers"), "--invoke", "add", "1", "2").assertOk("3\n");
        assertTrue(entries(dir) > 0);
        var r = run("run", "--no-cache", "--verbose", wasm("numbers"), "--invoke", "add", "1", "2");
        assertEquals(0, r.code());
        assertFalse(r.err().contains("from the compile cache"), r.err());
        run("run", "--no-cache", "--cache-dir", dir.toString(), wasm("numbers")).assertError(64, "usage", "exclude each other");
    }

    @Test
    void aCacheThatCannotBeMadeOnlyCostsSpeed(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        var r = run("run", "--verbose", "--cache-dir", file.resolve("corral").toString(), wasm("numbers"), "--invoke", "add", "1", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals("3\n", r.out());
        assertTrue(r.err().contains("no compile cache at"), r.err());
    }
}
