package dev.corral;

import dev.corral.internal.Engine;
import dev.corral.internal.LoadSettings;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The engine: shared settings, the compile cache and the watchdog that enforces call timeouts.
 * Thread-safe; build one per application and load every module through it.
 *
 * <pre>{@code
 * try (Corral corral = Corral.create()) {
 *     PluginModule module = corral.load(Path.of("plugin.wasm"));      // parse, validate, compile once
 *     Plugin plugin = module.instantiate(PluginPolicy.builder()        // cheap, one per user/request/thread
 *             .maxMemory(16 << 20).timeout(Duration.ofMillis(100)).build());
 *     int sum = plugin.call("add", 1, 2).getInt(0);
 * }
 * }</pre>
 */
public final class Corral implements AutoCloseable {
    private final Engine engine;

    private Corral(Builder b) {
        this.engine = new Engine(b.executionMode, b.compileCache, b.tiered, b.loadSettings);
    }

    /** An engine with the defaults: compiled execution, in-memory compile cache. */
    public static Corral create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads, validates and compiles a module with the engine's defaults. */
    public PluginModule load(byte[] wasm) {
        return loader().load(wasm);
    }

    public PluginModule load(Path file) {
        return loader().load(file);
    }

    public PluginModule load(InputStream in) {
        return loader().load(in);
    }

    /** For per-module settings: expected digest, name, execution mode, load limits, features. */
    public ModuleLoader loader() {
        return new ModuleLoader(engine);
    }

    public ExecutionMode defaultExecutionMode() {
        return engine.defaultMode();
    }

    public EngineStats stats() {
        return engine.stats();
    }

    /**
     * Closes the engine. Every call still running under a timeout is stopped at once (it ends with
     * {@link CallInterruptedException}), and nothing new starts: loading, instantiating, and calls
     * with a timeout or fuel fail fast with {@link IllegalStateException}. Plugins with neither
     * depend on nothing the engine runs and keep working (a call of theirs cannot be stopped
     * from outside in any case: give untrusted plugins a timeout or fuel).
     */
    @Override
    public void close() {
        engine.close();
    }

    public static final class Builder {
        private ExecutionMode executionMode = ExecutionMode.COMPILED;
        private CompileCache compileCache;
        private LoadSettings loadSettings = LoadSettings.DEFAULTS;
        private boolean tiered;

        private Builder() {}

        /**
         * Load modules tiered by default: start in the interpreter, compile in the background
         * ({@link ModuleLoader#tiered}). Off by default: it pays off for large modules whose
         * first calls must not wait for the compiler, and costs a second core for a while.
         */
        public Builder tieredCompilation(boolean tiered) {
            this.tiered = tiered;
            return this;
        }

        public Builder executionMode(ExecutionMode mode) {
            this.executionMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Where compiled bytecode is kept; default {@link CompileCache#inMemory()}. */
        public Builder compileCache(CompileCache cache) {
            this.compileCache = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /** The {@link LoadLimits} every loader of this engine starts with; default {@link LoadLimits#defaults()}. */
        public Builder loadLimits(LoadLimits limits) {
            loadSettings = loadSettings.withLimits(Objects.requireNonNull(limits, "limits"));
            return this;
        }

        /**
         * Lets every loader of this engine accept modules that use {@code feature} (see
         * {@link WasmFeature#DEFAULTS} for what is on by default).
         *
         * @throws IllegalArgumentException for a feature Corral cannot run ({@link WasmFeature#supported()})
         */
        public Builder enable(WasmFeature feature) {
            loadSettings = loadSettings.with(Objects.requireNonNull(feature, "feature"), true);
            return this;
        }

        /** Makes every loader of this engine refuse modules that use {@code feature}. */
        public Builder disable(WasmFeature feature) {
            loadSettings = loadSettings.with(Objects.requireNonNull(feature, "feature"), false);
            return this;
        }

        public Corral build() {
            if (compileCache == null) {
                compileCache = CompileCache.inMemory();
            }
            return new Corral(this);
        }
    }
}
