package dev.corral.game;

import dev.corral.game.mods.Fault;
import dev.corral.game.mods.ModSource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's inputs, so that it can be played again exactly: the settings, every mod's bytes, every
 * hot reload (the tick and the new bytes), and the faults no rerun reproduces on demand (a missed
 * deadline, the JVM stack). Plus the state hash after every tick, to find the first tick where a
 * replay diverges. Text, one record per line:
 *
 * <pre>
 * corral-game-recording 1
 * setting seed 42                       (seed, ticks, tick-fuel, load-fuel, max-faults, mod-memory, width, height)
 * mod gardener.js SHA256 BASE64
 * reload 57 gardener.js SHA256 BASE64   (before tick 57)
 * fault 12 shepherd deadline
 * hash 12 HEX
 * end HEX
 * </pre>
 */
final class Recording {
    static final String MAGIC = "corral-game-recording 1";
    static final List<String> SETTINGS = List.of("seed", "ticks", "tick-fuel", "load-fuel", "max-faults", "mod-memory", "width", "height");

    final Map<String, Long> settings = new LinkedHashMap<>();
    final List<ModSource> mods = new ArrayList<>();
    final Map<Long, List<ModSource>> reloads = new TreeMap<>();
    final Map<Long, Map<String, Fault>> faults = new HashMap<>();
    final Map<Long, String> hashes = new HashMap<>();
    String finalHash;

    /** A recording that could not be read: bad file, bad format, or not one of ours. */
    static final class BadRecording extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRecording(String message) {
            super(message);
        }
    }

    static Recording read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new BadRecording("cannot read recording " + file + ": " + e.getMessage());
        }
        if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
            throw new BadRecording(file + " is not a corral-game recording (first line must be '" + MAGIC + "')");
        }
        var r = new Recording();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ", -1); // -1: an empty mod (caught half-written by --watch) has an empty last field
            try {
                switch (f[0]) {
                    case "setting": r.settings.put(f[1], Long.parseLong(f[2])); break;
                    case "mod": r.mods.add(source(f[1], f[2], f[3])); break;
                    case "reload": r.reloads.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(source(f[2], f[3], f[4])); break;
                    case "fault": r.faults.computeIfAbsent(Long.parseLong(f[1]), k -> new HashMap<>()).put(unescape(f[2]), Fault.valueOf(f[3].toUpperCase(java.util.Locale.ROOT))); break;
                    case "hash": r.hashes.put(Long.parseLong(f[1]), f[2]); break;
                    case "end": r.finalHash = f[1]; break;
                    default: throw new BadRecording("unknown record '" + f[0] + "'");
                }
            } catch (RuntimeException e) {
                throw new BadRecording(file + " line " + (i + 1) + " is malformed: " + (e.getMessage() == null ? e : e.getMessage()));
            }
        }
        for (String s : SETTINGS) {
            if (!r.settings.containsKey(s)) {
                throw new BadRecording(file + " lacks the setting '" + s + "'");
            }
        }
        return r;
    }

    private static ModSource source(String fileName, String sha256, String base64) {
        var s = new ModSource(unescape(fileName), Base64.getDecoder().decode(base64));
        if (!s.sha256().equals(sha256)) {
            throw new BadRecording("the bytes of " + s.fileName() + " do not match their SHA-256");
        }
        return s;
    }

    long setting(String name) {
        return settings.get(name);
    }

    /** Writes a recording as the run goes: header first, events as they happen. */
    static final class Writer implements AutoCloseable {
        private final BufferedWriter out;

        Writer(Path file, Map<String, Long> settings, List<ModSource> mods) {
            try {
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                out.write(MAGIC);
                out.newLine();
                for (var e : settings.entrySet()) {
                    line("setting " + e.getKey() + " " + e.getValue());
                }
                for (ModSource m : mods) {
                    line("mod " + escape(m.fileName()) + " " + m.sha256() + " " + Base64.getEncoder().encodeToString(m.bytes()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write recording " + file + ": " + e.getMessage(), e);
            }
        }

        void reload(long tick, ModSource m) {
            line("reload " + tick + " " + escape(m.fileName()) + " " + m.sha256() + " " + Base64.getEncoder().encodeToString(m.bytes()));
        }

        void fault(long tick, String mod, Fault kind) {
            line("fault " + tick + " " + escape(mod) + " " + kind.label());
        }

        void hash(long tick, String hex) {
            line("hash " + tick + " " + hex);
        }

        void end(String hex) {
            line("end " + hex);
        }

        private void line(String s) {
            try {
                out.write(s);
                out.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the recording: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the recording: " + e.getMessage(), e);
            }
        }
    }

    /** File names may hold spaces; records are space-separated. */
    static String escape(String s) {
        var sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '%' || c <= ' ' || c == 0x7f) {
                sb.append(String.format("%%%02X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static String unescape(String s) {
        var sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
