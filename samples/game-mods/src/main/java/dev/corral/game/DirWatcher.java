package dev.corral.game;

import dev.corral.game.mods.ModSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code --watch}: at every tick boundary, the mod files whose size or modification time changed
 * and whose bytes differ from what runs (new mod files too). A file caught half-written simply
 * fails to load and is refused; when the writer finishes, its time changes again and it is read
 * again. Files that disappear are ignored: their mods keep running.
 */
final class DirWatcher {
    private record Stamp(long size, long modified) {}

    private final Path dir;
    private final Map<String, Stamp> seen = new HashMap<>();

    DirWatcher(Path dir, Map<String, ModSource> running) {
        this.dir = dir;
        for (Path p : list()) {
            seen.put(p.getFileName().toString(), stamp(p));
        }
    }

    /** Changed mod files, in name order. */
    List<ModSource> poll(Map<String, ModSource> running) {
        var out = new ArrayList<ModSource>();
        for (Path p : list()) {
            String file = p.getFileName().toString();
            Stamp now = stamp(p);
            if (now == null || now.equals(seen.get(file))) {
                continue;
            }
            seen.put(file, now);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(p);
            } catch (IOException e) {
                continue; // gone or unreadable right now; its next change brings it back
            }
            var src = new ModSource(file, bytes);
            ModSource current = running.get(src.name());
            if (current == null || !current.sha256().equals(src.sha256())) {
                out.add(src);
            }
        }
        return out;
    }

    private List<Path> list() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(ModSource::isMod).filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Stamp stamp(Path p) {
        try {
            var a = Files.readAttributes(p, BasicFileAttributes.class);
            return new Stamp(a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
        } catch (IOException e) {
            return null;
        }
    }
}
