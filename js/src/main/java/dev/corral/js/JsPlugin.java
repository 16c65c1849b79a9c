package dev.corral.js;

import dev.corral.MemoryDescriptor;
import dev.corral.Plugin;
import dev.corral.PluginPolicy;
import dev.corral.PluginSnapshot;
import dev.corral.js.internal.Exposed;
import dev.corral.js.internal.JsRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A script running in its own QuickJS instance inside Corral's sandbox: the policy's fuel,
 * deadline, memory limit and capabilities apply to everything the script does.
 *
 * <p><b>Start-up is paid once.</b> {@link Builder#build()} starts the engine, runs the script's
 * top-level code and snapshots the result; {@link #reset()} (and every failure that stops the
 * engine itself) returns to that snapshot at the cost of what changed since, never running the
 * start-up again.
 *
 * <p><b>Values.</b> Arguments and results are JSON-compatible: {@code null}, {@link Boolean},
 * numbers, {@link String}, {@link java.util.List} (and arrays), {@link java.util.Map} with string
 * keys. Results come back as {@code null} (for {@code undefined} and {@code null}), Boolean,
 * String, Integer / Long (integral numbers) or Double, {@code List<Object>}, {@code Map<String,
 * Object>} (insertion-ordered).
 *
 * <p><b>Failures.</b> An exception the script does not catch is a {@link JsException} (its name,
 * message and JavaScript stack); the engine unwound, the script's state is kept. Running out of
 * fuel, time, wasm memory or JVM stack ends the call with core's exception and resets the plugin
 * to its start-up snapshot. The host JVM is never at risk.
 *
 * <p><b>Stack.</b> The engine's own stack limit ({@link Builder#stackLimit}) turns runaway
 * recursion into a catchable {@code RangeError}; each JavaScript frame also costs JVM stack on the
 * calling thread, so call from a thread with a large stack (64 MiB covers the default limit) or the
 * JVM's stack runs out first ({@code StackExhaustedException}, and a reset).
 *
 * <p>Like every {@link Plugin}, confined to one thread at a time.
 */
public final class JsPlugin implements AutoCloseable {
    /** The engine's own JavaScript stack limit by default: 256 KiB of the engine's 1 MiB stack. */
    public static final int DEFAULT_STACK_LIMIT = 256 * 1024;
    /** Fuel for start-up (engine, prelude, the script's top-level code) when the policy meters calls. */
    public static final long DEFAULT_INIT_FUEL = 500_000_000L;

    private final JsRuntime runtime;

    private JsPlugin(JsRuntime runtime) {
        this.runtime = runtime;
    }

    public String name() {
        return runtime.name();
    }

    /**
     * Calls the global function {@code function} with JSON-compatible arguments and returns its
     * result converted back; promise jobs the call queued run before it returns.
     *
     * @throws JsException if the script throws, or {@code function} is not a function
     * @throws IllegalArgumentException if an argument is not JSON-compatible (nothing ran)
     */
    public Object call(String function, Object... args) {
        return runtime.call(function, args);
    }

    /**
     * Like {@link #call}, with at least {@code fuel} for the function's run instead of the
     * policy's per-call fuel (when the policy meters calls): for a one-off setup call that needs
     * more than a regular call may use. At most 62 arguments.
     */
    public Object callWithFuel(long fuel, String function, Object... args) {
        if (fuel <= 0) {
            throw new IllegalArgumentException("fuel must be > 0, got " + fuel);
        }
        if (args != null && args.length > 62) {
            throw new IllegalArgumentException("callWithFuel takes at most 62 arguments");
        }
        return runtime.call(function, args, fuel, null);
    }

    /**
     * Like {@link #callWithFuel}, with a wall-clock limit of its own too: each step of the call
     * (the function's run, each promise job) is stopped after {@code timeout}
     * ({@code CallTimeoutException} with {@code LimitSource.CALL}) instead of the policy's
     * timeout, shorter or longer. For a one-off call, e.g. a mod's {@code onLoad} under the load
     * limits while the policy holds the tick's. At most 62 arguments.
     */
    public Object callWithLimits(Duration timeout, long fuel, String function, Object... args) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (fuel <= 0) {
            throw new IllegalArgumentException("fuel must be > 0, got " + fuel);
        }
        if (args != null && args.length > 62) {
            throw new IllegalArgumentException("callWithLimits takes at most 62 arguments");
        }
        return runtime.call(function, args, fuel, timeout);
    }

    /** Evaluates {@code code} as a global script (its declarations stay) and returns its completion value. */
    public Object eval(String code) {
        return runtime.eval(code, "<eval>");
    }

    /** Whether the script defines a global function of that name. */
    public boolean hasFunction(String function) {
        return runtime.hasFunction(function);
    }

    /** The complete state now (see {@link Plugin#snapshot()}), to {@link #restore} later, e.g. at every game tick. */
    public PluginSnapshot snapshot() {
        return runtime.snapshot();
    }

    /** Puts the script back to {@code snapshot}, which must come from this plugin. */
    public void restore(PluginSnapshot snapshot) {
        runtime.restore(snapshot);
    }

    /** Back to the state right after start-up, without running start-up again. */
    public void reset() {
        runtime.restore(runtime.initial());
    }

    /** The snapshot taken right after start-up. */
    public PluginSnapshot initialSnapshot() {
        return runtime.initial();
    }

    /** The QuickJS instance underneath: fuel counters, memory size. */
    public Plugin plugin() {
        return runtime.plugin();
    }

    @Override
    public void close() {
        runtime.close();
    }

    @Override
    public String toString() {
        return "JsPlugin[" + name() + "]";
    }

    /** Builds a {@link JsPlugin}; obtained from {@link JsEngine#plugin(String)}. */
    public static final class Builder {
        private final JsEngine engine;
        private final String name;
        private String fileName;
        private String script;
        private PluginPolicy policy = PluginPolicy.defaults();
        private long initFuel = -1; // the policy's initFuel, else DEFAULT_INIT_FUEL
        private long memoryLimit = -1;
        private int stackLimit = DEFAULT_STACK_LIMIT;
        private final List<Exposed> exposed = new ArrayList<>();
        private JsConsole console;
        private Long seed;
        private boolean restoreAfterFailure = true;

        Builder(JsEngine engine, String name) {
            this.engine = Objects.requireNonNull(engine, "engine");
            this.name = Objects.requireNonNull(name, "name");
        }

        /** The script, evaluated as a global script; stack traces name it {@code <name>.js}. */
        public Builder script(String source) {
            return script(name + ".js", source);
        }

        public Builder script(String fileName, String source) {
            this.fileName = Objects.requireNonNull(fileName, "fileName");
            this.script = Objects.requireNonNull(source, "source");
            return this;
        }

        /** The script read from {@code file} as UTF-8. */
        public Builder script(Path file) {
            try {
                return script(String.valueOf(file.getFileName()), Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read script " + file + ": " + e.getMessage(), e);
            }
        }

        /**
         * Limits and grants, as for any plugin: fuel and timeout per call, memory, capabilities
         * (e.g. corral-capabilities' WASI clock for {@code Date.now()}). Without a WASI grant the
         * script sees the clock at the epoch. Start-up (the engine's, the prelude, the script's
         * top-level code) is the instance's initialization: {@code PluginPolicy.Builder.initTimeout}
         * bounds all of it (tens of milliseconds warm, up to a second on a cold JVM or in the
         * interpreter), so a tight per-call timeout does not starve it; without one, each
         * start-up step gets the per-call timeout.
         */
        public Builder policy(PluginPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Fuel for start-up as a whole when the policy meters calls (QuickJS itself takes ~1.9M):
         * overrides the policy's {@code initFuel}; when neither is set, {@value #DEFAULT_INIT_FUEL}.
         */
        public Builder initFuel(long units) {
            if (units <= 0) {
                throw new IllegalArgumentException("initFuel must be > 0, got " + units);
            }
            this.initFuel = units;
            return this;
        }

        /**
         * The engine's own heap limit, below which an allocation fails with JavaScript's
         * {@code InternalError: out of memory} (a JsException the script may catch). Default: the
         * policy's memory limit less 2 MiB for the engine's stack and data.
         */
        public Builder memoryLimit(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("memoryLimit must be > 0, got " + bytes);
            }
            this.memoryLimit = bytes;
            return this;
        }

        /** The engine's own stack limit, beyond which recursion throws {@code RangeError} (at most 512 KiB). */
        public Builder stackLimit(int bytes) {
            if (bytes <= 0 || bytes > 512 * 1024) {
                throw new IllegalArgumentException("stackLimit must be in 1..524288, got " + bytes);
            }
            this.stackLimit = bytes;
            return this;
        }

        /**
         * Offers the methods of interface {@code api} to the script as the global object
         * {@code name}, e.g. {@code game.spawn(3, 4)} for {@code int spawn(int x, int y)}. Parameter
         * and result types: int, long, float, double, boolean, String, void; a
         * {@code dev.corral.spi.HostContext} parameter receives the calling plugin. Arguments are
         * checked (an int must be an integer in range, and so on): a mismatch is a TypeError in the
         * script. An exception of {@code impl} becomes an Error the script may catch, except Corral's
         * own exceptions, which end the call. Usually the same interface a wasm guest gets through
         * {@code @HostModule}.
         */
        public <T> Builder expose(String name, Class<T> api, T impl) {
            Objects.requireNonNull(api, "api");
            Objects.requireNonNull(impl, "impl");
            for (Exposed e : exposed) {
                if (e.name().equals(name)) {
                    throw new IllegalArgumentException("'" + name + "' is exposed twice");
                }
            }
            exposed.add(Exposed.of(name, api, impl));
            return this;
        }

        /** Where console output goes (default: System.Logger {@code dev.corral.js.<name>}). */
        public Builder console(JsConsole console) {
            this.console = Objects.requireNonNull(console, "console");
            return this;
        }

        /** Makes {@code Math.random()} a deterministic sequence from {@code seed} (sfc32, in JavaScript). */
        public Builder randomSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Whether a call that stops the engine itself (fuel, deadline, trap, JVM stack) restores the
         * start-up snapshot before its exception propagates (the default). With {@code false} the
         * plugin refuses calls until the host restores a snapshot of its own: for hosts that roll
         * back to a later point (a game undoing one tick) and read the failed call's fuel first.
         */
        public Builder restoreAfterFailure(boolean restore) {
            this.restoreAfterFailure = restore;
            return this;
        }

        /**
         * Starts the engine, runs the script's top-level code and snapshots the result.
         *
         * @throws JsException if the script throws at its top level (a SyntaxError included)
         */
        public JsPlugin build() {
            if (script == null) {
                throw new IllegalStateException("no script: call script(...) first");
            }
            long mem = memoryLimit > 0 ? memoryLimit
                    : Math.max(1L << 20, (long) policy.maxMemoryPages() * MemoryDescriptor.PAGE_SIZE - (2L << 20));
            JsConsole out = console != null ? console : JsConsole.logger(name);
            var config = new JsRuntime.Config(name, fileName, script, policy, initFuel, mem, stackLimit, List.copyOf(exposed),
                    out::print, seed, restoreAfterFailure);
            return new JsPlugin(JsRuntime.start(engine.module(), config));
        }
    }
}
