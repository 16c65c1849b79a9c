package dev.corral.internal.chicory;

import com.dylibso.chicory.compiler.Cache;
import dev.corral.CompileCache;
import dev.corral.internal.Engine;
import java.io.IOException;

/**
 * Feeds Chicory's compiler our {@link CompileCache}, with keys that also name the Corral and
 * Chicory versions (bytecode from another compiler version must never be loaded), and counts
 * hits and misses for {@link dev.corral.EngineStats}.
 */
final class CacheAdapter implements Cache {
    static final String CHICORY_VERSION = "1.7.5";

    /** Whether this thread's last lookup was a hit, for the compile event of the compile around it. */
    private static final ThreadLocal<Boolean> LAST_HIT = new ThreadLocal<>();

    private final Engine engine;
    private final CompileCache cache;

    CacheAdapter(Engine engine) {
        this.engine = engine;
        this.cache = engine.compileCache();
    }

    /** True if the last lookup on this thread found its entry; clears the flag. */
    static boolean takeLastHit() {
        Boolean hit = LAST_HIT.get();
        LAST_HIT.remove();
        return hit != null && hit;
    }

    /** Counts a hit served without going through Chicory's cache lookup ({@link CacheHit}). */
    static void countHit(Engine engine) {
        LAST_HIT.set(true);
        engine.countCacheHit();
    }

    static String key(String moduleDigest) {
        return "corral-" + Engine.VERSION + "/chicory-" + CHICORY_VERSION + "/" + moduleDigest;
    }

    /**
     * The key of a module's generated classes: also names Corral's rewrite of them
     * ({@link DispatchSplitter}), so classes rewritten otherwise (or not at all) are never loaded.
     */
    static String classesKey(String moduleDigest) {
        return key(DispatchSplitter.VERSION + "+" + StopChecks.VERSION + "/" + moduleDigest);
    }

    @Override
    public byte[] get(String key) throws IOException {
        byte[] data;
        try {
            data = cache.get(classesKey(key));
        } catch (IOException | RuntimeException e) {
            data = null; // a broken cache entry costs a compile, never a load failure
        }
        LAST_HIT.set(data != null);
        if (data != null) {
            engine.countCacheHit();
        } else {
            engine.countCompilation();
        }
        return data;
    }

    @Override
    public void putIfAbsent(String key, byte[] data) {
        try {
            cache.putIfAbsent(classesKey(key), data);
        } catch (IOException | RuntimeException e) {
            // the module is compiled and usable; only the next load will be slower
        }
    }
}
