package dev.corral.internal;

import dev.corral.CompileCache;
import dev.corral.EngineStats;
import dev.corral.ExecutionMode;
import dev.corral.PluginModule;
import dev.corral.internal.chicory.ChicoryModuleLoader;
import java.util.concurrent.atomic.AtomicLong;

/** The engine behind {@link dev.corral.Corral}: settings, counters, cache, watchdog. */
public final class Engine {
    /** Part of every compile-cache key: bytecode from another Corral version is never reused. */
    public static final String VERSION = "0.1.0";

    private final ExecutionMode defaultMode;
    private final CompileCache compileCache;
    private final LoadSettings loadSettings;
    private final AtomicLong modulesLoaded = new AtomicLong();
    private final AtomicLong compilations = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    private final AtomicLong instances = new AtomicLong();
    private volatile Watchdog watchdog;
    private volatile boolean closed;

    public Engine(ExecutionMode defaultMode, CompileCache compileCache, LoadSettings loadSettings) {
        this.defaultMode = defaultMode;
        this.compileCache = compileCache;
        this.loadSettings = loadSettings;
    }

    /** The limits and features a loader starts with. */
    public LoadSettings loadSettings() {
        return loadSettings;
    }

    public ExecutionMode defaultMode() {
        return defaultMode;
    }

    public CompileCache compileCache() {
        return compileCache;
    }

    public PluginModule load(String name, byte[] bytes, String expectedSha256, ExecutionMode mode, LoadSettings settings) {
        checkOpen("load a module");
        var module = ChicoryModuleLoader.load(this, name, bytes, expectedSha256, mode, settings);
        modulesLoaded.incrementAndGet();
        return module;
    }

    public void countCompilation() {
        compilations.incrementAndGet();
    }

    public void countCacheHit() {
        cacheHits.incrementAndGet();
    }

    public void countInstance() {
        instances.incrementAndGet();
    }

    public EngineStats stats() {
        return new EngineStats(modulesLoaded.get(), compilations.get(), cacheHits.get(), instances.get());
    }

    /** The watchdog, started on first use so that engines without timeouts own no thread. */
    public Watchdog watchdog() {
        Watchdog w = watchdog;
        if (w == null) {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("the Corral engine is closed: calls with a timeout cannot run");
                }
                w = watchdog;
                if (w == null) {
                    w = new Watchdog();
                    watchdog = w;
                }
            }
        }
        return w;
    }

    /** Fails when the engine is closed: its watchdog is gone, so no deadline could be enforced. */
    public void checkWatchdogRunning() {
        if (closed) {
            throw new IllegalStateException("the Corral engine is closed: calls with a timeout cannot run");
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean closed() {
        return closed;
    }

    /** Fails fast once the engine is closed: nothing new starts on a closed engine. */
    public void checkOpen(String what) {
        if (closed) {
            throw new IllegalStateException("the Corral engine is closed: cannot " + what);
        }
    }

    /**
     * Closes the engine: nothing new starts (loads, instantiations, calls with a timeout or fuel
     * fail fast), and the watchdog stops every call still running under a deadline, then ends.
     * A call that arms its deadline concurrently re-reads {@code closed} after arming, so either
     * it sees the engine closed or the watchdog's last sweep sees its deadline armed.
     */
    public synchronized void close() {
        closed = true;
        if (watchdog != null) {
            watchdog.shutdown();
        }
    }
}
