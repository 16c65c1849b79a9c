package dev.corral.cli;

import dev.corral.CompileCache;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The CLI's persistent compile cache: {@code $XDG_CACHE_HOME/corral}, else {@code ~/.cache/corral}
 * (the XDG base-directory convention), so the second run of a module skips compilation. A cache
 * that cannot be created costs only speed: the run falls back to compiling in memory.
 */
final class CompileCaches {
    private CompileCaches() {}

    static Path defaultDirectory(Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {   // the spec: relative values are ignored
            return Path.of(xdg, "corral");
        }
        return Path.of(userHome, ".cache", "corral");
    }

    /** The cache in {@code dir}, or an in-memory one when the directory cannot be made (said with --verbose). */
    static CompileCache open(Path dir, boolean verbose, PrintStream err) {
        try {
            return CompileCache.directory(dir);
        } catch (UncheckedIOException | SecurityException e) {
            if (verbose) {
                err.println("[corral] no compile cache at " + dir + " (" + e.getMessage() + "): compiling in memory");
            }
            return CompileCache.inMemory();
        }
    }
}
