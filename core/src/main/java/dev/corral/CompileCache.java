package dev.corral;

import dev.corral.internal.cache.DirectoryCompileCache;
import dev.corral.internal.cache.InMemoryCompileCache;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Stores the JVM bytecode the compiler made for a module, so that loading the same module again
 * (in this JVM or, with {@link #directory}, in the next) skips compilation. Keys already include
 * the module's digest and the Corral and runtime versions; implementations just store bytes.
 * Must be thread-safe.
 */
public interface CompileCache {
    /** The stored bytes for {@code key}, or null. */
    byte[] get(String key) throws IOException;

    /** Stores {@code data} unless something is already stored for {@code key}. */
    void putIfAbsent(String key, byte[] data) throws IOException;

    /** A cache that lives as long as the engine (the default). */
    static CompileCache inMemory() {
        return new InMemoryCompileCache();
    }

    /** A cache in a directory, shared by JVMs and kept across restarts. Created if missing. */
    static CompileCache directory(Path dir) {
        return new DirectoryCompileCache(dir);
    }
}
