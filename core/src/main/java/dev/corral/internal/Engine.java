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
    private final AtomicLong compileNanos = new AtomicLong();
    private final Usage usage = new Usage(null);
    private final boolean tiered;
    private volatile java.util.concurrent.ExecutorService compiler;
    private volatile Watchdog watchdog;
    private volatile boolean closed;

    public Engine(ExecutionMode defaultMode, CompileCache compileCache) {
        this(defaultMode, compileCache, false);
    }

    public Engine(ExecutionMode defaultMode, CompileCache compileCache, boolean tiered) {
        this(defaultMode, compileCache, tiered, LoadSettings.DEFAULTS);
    }

    public Engine(ExecutionMode defaultMode, CompileCache compileCache, LoadSettings loadSettings) {
        this(defaultMode, compileCache, false, loadSettings);
    }

    public Engine(ExecutionMode defaultMode, CompileCache compileCache, boolean tiered, LoadSettings loadSettings) {
        this.defaultMode = defaultMode;
        this.compileCache = compileCache;
        this.tiered = tiered;
        this.loadSettings = loadSettings;
    }

    /** The limits and features a loader starts with. */
    public LoadSettings loadSettings() {
        return loadSettings;
    }

    /** Whether modules load tiered unless their loader says otherwise. */
    public boolean tiered() {
        return tiered;
    }

    /**
     * The thread tiered compilation runs on: one, a daemon at low priority, started on first use,
     * so background compiles never take more than one core from the calls they are meant to speed up.
     */
    public java.util.concurrent.ExecutorService compiler() {
        var c = compiler;
        if (c == null) {
            synchronized (this) {
                c = compiler;
                if (c == null) {
                    c = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                        var t = new Thread(r, "corral-compiler");
                        t.setDaemon(true);
                        t.setPriority(Thread.MIN_PRIORITY);
                        return t;
                    });
                    compiler = c;
                }
            }
        }
        return c;
    }

    public ExecutionMode defaultMode() {
        return defaultMode;
    }

    public CompileCache compileCache() {
        return compileCache;
    }

    public PluginModule load(String name, byte[] bytes, String expectedSha256, ExecutionMode mode) {
        return load(name, bytes, expectedSha256, mode, tiered, loadSettings);
    }

    public PluginModule load(String name, byte[] bytes, String expectedSha256, ExecutionMode mode, boolean tiered) {
        return load(name, bytes, expectedSha256, mode, tiered, loadSettings);
    }

    public PluginModule load(String name, byte[] bytes, String expectedSha256, ExecutionMode mode, boolean tiered,
            LoadSettings settings) {
        checkOpen("load a module");
        var module = ChicoryModuleLoader.load(this, name, bytes, expectedSha256, mode, tiered, settings);
        modulesLoaded.incrementAndGet();
        return module;
    }

    /** Parses only: see {@link dev.corral.ModuleInfo}; its compile() counts the load. */
    public dev.corral.ModuleInfo inspect(String name, byte[] bytes, String expectedSha256, ExecutionMode mode, boolean tiered,
            LoadSettings settings) {
        checkOpen("inspect a module");
        return ChicoryModuleLoader.inspect(this, name, bytes, expectedSha256, mode, tiered, settings);
    }

    public void countLoaded() {
        modulesLoaded.incrementAndGet();
    }

    public void countCompilation() {
        compilations.incrementAndGet();
    }

    public void countCacheHit() {
        cacheHits.incrementAndGet();
    }

    public void addCompileTime(long nanos) {
        compileNanos.addAndGet(nanos);
    }

    /** Every instance of every module of this engine: a module's own {@link Usage} reports to it. */
    public Usage usage() {
        return usage;
    }

    public EngineStats stats() {
        long[] u = usage.snapshot();
        return new EngineStats(modulesLoaded.get(), compilations.get(), cacheHits.get(),
                java.time.Duration.ofNanos(compileNanos.get()), u[0], u[1], u[2], u[3], u[4]);
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
        if (compiler != null) {
            compiler.shutdownNow(); // a compile in progress finishes on its daemon thread; its result is unused
        }
        if (watchdog != null) {
            watchdog.shutdown();
        }
    }
}
