package dev.corral.game;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.game.mods.ModSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recording reads back what was written, including what --watch can catch mid-write. */
class RecordingTest {
    @Test
    void aReloadOfAnEmptyModReadsBack(@TempDir Path dir) {
        // --watch can read a mod file its editor has just truncated: the reload is refused in the
        // run, and the replay must read the same (empty) bytes to refuse it again
        var settings = new LinkedHashMap<String, Long>();
        for (String s : Recording.SETTINGS) {
            settings.put(s, 7L);
        }
        Path file = dir.resolve("run.rec");
        var mod = new ModSource("my mod.js", "export function onTick() {}".getBytes(StandardCharsets.UTF_8));
        try (var w = new Recording.Writer(file, settings, List.of(mod))) {
            w.reload(3, new ModSource("my mod.js", new byte[0]));
            w.reload(5, mod);
            w.end("ab");
        }
        var r = Recording.read(file);
        assertEquals(settings, r.settings);
        assertArrayEquals(mod.bytes(), r.mods.get(0).bytes());
        assertEquals(0, r.reloads.get(3L).get(0).bytes().length);
        assertEquals("my mod.js", r.reloads.get(3L).get(0).fileName());
        assertArrayEquals(mod.bytes(), r.reloads.get(5L).get(0).bytes());
        assertEquals("ab", r.finalHash);
    }
}
