package dev.corral.game.mods;

import dev.corral.Corral;
import dev.corral.PluginPolicy;
import dev.corral.PluginSnapshot;
import dev.corral.capabilities.Wasi;
import dev.corral.capabilities.WasiClock;
import dev.corral.capabilities.WasiRandom;
import dev.corral.game.Rng;
import dev.corral.js.JsEngine;
import dev.corral.spi.HostModuleDef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs a game's mods, wasm and JavaScript alike, one tick at a time, without ever letting one
 * stop the game. Per mod and tick: the game's {@link TickScope} opens, the instance is
 * snapshotted, {@code on_tick} runs with the tick's fuel and deadline; on success the scope
 * commits, on any failure the scope rolls back, the instance is restored to the snapshot and a
 * fault is counted; {@code maxFaults} faults in a row disable the mod.
 *
 * <p>Each mod gets: the game's API (its own object, so the game knows who calls), WASI with the
 * game's virtual clock and randomness from the game's seed and the mod's name, no files, no
 * environment, and its output in the game's log. Confined to one thread (the game loop); give
 * that thread a large stack (JavaScript frames use JVM stack too).
 *
 * @param <A> the game's API interface (a {@code @HostModule})
 */
public final class ModHost<A> implements AutoCloseable {
    /** What the host needs from the game. */
    public interface Game<A> {
        /** The API interface, offered to JavaScript mods under {@link #apiName()}. */
        Class<A> api();

        /** The wasm import module name of the API, and the JavaScript global's name. */
        String apiName();

        /** A new API object for one mod. */
        A bind(ModContext mod);

        /** The transaction around one of that mod's ticks. */
        TickScope scope(A api);

        /** The generated wasm bindings of {@code api}, e.g. {@code new GameApi_CorralHost(api)}. */
        HostModuleDef wasmBindings(A api);
    }

    private final Corral corral;
    private final Game<A> game;
    private final Supplier<JsEngine> jsEngine;
    private final long tickFuel;
    private final long loadFuel;
    private final Duration tickTimeout;
    private final Duration loadTimeout;
    private final long maxMemory;
    private final int maxFaults;
    private final long seed;
    private final WasiClock clock;
    private final ModEvents events;
    private final List<Entry> entries = new ArrayList<>();
    private JsEngine js;

    private ModHost(Builder<A> b) {
        this.corral = b.corral;
        this.game = b.game;
        this.jsEngine = b.jsEngine != null ? b.jsEngine : () -> JsEngine.load(b.corral);
        this.tickFuel = b.tickFuel;
        this.loadFuel = b.loadFuel;
        this.tickTimeout = b.tickTimeout;
        this.loadTimeout = b.loadTimeout;
        this.maxMemory = b.maxMemory;
        this.maxFaults = b.maxFaults;
        this.seed = b.seed;
        this.clock = b.clock;
        this.events = b.events;
    }

    public static <A> Builder<A> builder(Corral corral, Game<A> game) {
        return new Builder<>(corral, game);
    }

    /** One mod: its identity and counters survive reloads; its runtime is replaced by them. */
    private final class Entry implements ModContext {
        final String name;
        final int tag;
        final ModLog log;
        final A api;
        final TickScope scope;
        ModSource source;
        ModRuntime runtime;
        boolean active;
        long ticks;
        long faults;
        int consecutive;
        long fuel;
        String reason = "";

        Entry(String name, int tag) {
            this.name = name;
            this.tag = tag;
            this.log = new ModLog(name);
            this.api = game.bind(this);
            this.scope = game.scope(api);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int tag() {
            return tag;
        }

        @Override
        public void log(String message) {
            log.log(message);
        }

        ModStatus status() {
            return new ModStatus(name, active, ticks, faults, fuel, reason);
        }
    }

    /**
     * Loads the first set of mods, in name order (which is also the order they play in and
     * gives them their tags). A mod that cannot be loaded is reported and stays disabled.
     */
    public void load(List<ModSource> sources) {
        if (!entries.isEmpty()) {
            throw new IllegalStateException("mods are already loaded: use reload() to replace one");
        }
        var sorted = new ArrayList<>(sources);
        sorted.sort((a, b) -> a.name().compareTo(b.name()));
        for (ModSource s : sorted) {
            if (entry(s.name()) != null) {
                throw new IllegalArgumentException("two mods are named '" + s.name() + "' (" + entry(s.name()).source.fileName()
                        + " and " + s.fileName() + "): mod names must be unique");
            }
            var e = new Entry(s.name(), entries.size() + 1);
            e.source = s;
            entries.add(e);
            start(e, s);
        }
    }

    private boolean start(Entry e, ModSource s) {
        ModRuntime r;
        try {
            r = create(e, s);
            try {
                r.snapshot(); // a mod whose state cannot be snapshotted cannot be rolled back: refuse it now
            } catch (RuntimeException ex) {
                r.close();
                throw ex;
            }
        } catch (RuntimeException ex) {
            e.log.flush(events, 0, false);
            String reason = firstLine(ex);
            events.refused(e.name, reason);
            if (e.runtime == null && e.reason.isEmpty()) {
                e.reason = "not loaded: " + reason;
            }
            return false;
        }
        ModRuntime old = e.runtime;
        e.runtime = r;
        e.source = s;
        e.active = true;
        e.consecutive = 0;
        e.reason = "";
        if (old != null) {
            old.close();
        }
        e.log.flush(events, 0, false);
        events.loaded(e.name, s.sha256());
        return true;
    }

    private ModRuntime create(Entry e, ModSource s) {
        // the policy's per-call limits are the tick's; loading (a reactor's _initialize and on_load,
        // a script's engine start-up and top-level code) is the instance's initialization, with
        // limits of its own
        PluginPolicy.Builder policy = PluginPolicy.builder()
                .fuel(tickFuel)
                .timeout(tickTimeout)
                .initFuel(loadFuel)
                .initTimeout(loadTimeout)
                .maxMemory(maxMemory)
                // WASI randomness from the seed and the name: a seeded stream is part of the instance's
                // snapshots, so a rolled-back tick draws the same bytes again
                .grant(Wasi.builder().clock(clock).random(WasiRandom.seeded(Rng.derive(seed, "wasi.random:" + e.name)))
                        .stdout(e.log.output()).stderr(e.log.output()).build());
        if (s.isScript()) {
            if (js == null) {
                js = jsEngine.get();
            }
            return ScriptMod.load(js, s, policy.build(), game.apiName(), game.api(), e.api, e.log,
                    Rng.derive(seed, "js.random:" + e.name), loadFuel, loadTimeout);
        }
        return WasmMod.load(corral, s, policy.hostModule(game.wasmBindings(e.api)).hostModule(e.log.corralLog()).build());
    }

    /**
     * Replaces a mod with a new version (or adds a new mod) between ticks. A version that fails
     * to load, link or initialize is refused and the old one keeps running. A good version
     * re-enables a disabled mod; the mod keeps its name, tag and counters.
     *
     * @return whether the new version runs now
     */
    public boolean reload(ModSource source) {
        Entry e = entry(source.name());
        if (e == null) {
            e = new Entry(source.name(), entries.size() + 1);
            e.source = source;
            entries.add(e);
            entries.sort((a, b) -> a.name.compareTo(b.name));
        }
        return start(e, source);
    }

    /** Plays one tick for every active mod, in name order. */
    public void tick(long tick) {
        tick(tick, Map.of());
    }

    /**
     * Plays one tick; the mods in {@code forcedFaults} do not run but fault as given (replaying
     * a recording in which their deadline passed or the JVM stack ran out, which no rerun can
     * reproduce on demand).
     */
    public void tick(long tick, Map<String, Fault> forcedFaults) {
        for (Entry e : entries) {
            if (e.active) {
                play(e, tick, forcedFaults.get(e.name));
            }
        }
    }

    private void play(Entry e, long tick, Fault forced) {
        PluginSnapshot start;
        try {
            start = e.runtime.snapshot();
        } catch (RuntimeException ex) {
            e.active = false;
            e.reason = "its state could not be snapshotted: " + firstLine(ex);
            e.faults++;
            e.runtime.close();
            e.runtime = null;
            events.fault(tick, e.name, Fault.HOST, e.reason, true);
            return;
        }
        e.scope.begin(tick);
        long fuelBefore = e.runtime.fuelTotal();
        Fault kind = null;
        String message = null;
        if (forced != null) {
            kind = forced;
            message = "as in the recorded run";
        } else {
            try {
                e.runtime.tick(tick); // under the policy's per-call limits: the tick's fuel and deadline
            } catch (RuntimeException ex) {
                kind = Fault.of(ex);
                message = firstLine(ex);
            }
            if (kind == Fault.DEADLINE) {
                message = "missed its " + tickTimeout.toMillis() + " ms deadline";
            }
        }
        e.fuel += e.runtime.fuelTotal() - fuelBefore; // before a restore puts the counters back
        if (kind == null) {
            e.scope.commit();
            e.ticks++;
            e.consecutive = 0;
            e.log.flush(events, tick, false);
            return;
        }
        e.scope.rollback();
        boolean restored = true;
        try {
            e.runtime.restore(start);
        } catch (RuntimeException ex) {
            restored = false; // never expected; a mod that cannot be put back must not play on
            message += "; and its instance could not be restored: " + firstLine(ex);
        }
        e.faults++;
        e.consecutive++;
        e.log.flush(events, tick, true);
        boolean disable = e.consecutive >= maxFaults || !restored;
        if (disable) {
            e.active = false;
            e.reason = (restored ? maxFaults + " faults in a row" : "unrecoverable fault") + "; last: " + kind.label() + ": " + message;
            e.runtime.close();
            e.runtime = null;
        }
        events.fault(tick, e.name, kind, message, disable);
    }

    /** Every mod's status, in name order. */
    public List<ModStatus> statuses() {
        var out = new ArrayList<ModStatus>();
        for (Entry e : entries) {
            out.add(e.status());
        }
        return Collections.unmodifiableList(out);
    }

    /** The file each mod was (last successfully) loaded from, by name. */
    public Map<String, ModSource> sources() {
        var out = new HashMap<String, ModSource>();
        for (Entry e : entries) {
            out.put(e.name, e.source);
        }
        return out;
    }

    private Entry entry(String name) {
        for (Entry e : entries) {
            if (e.name.equals(name)) {
                return e;
            }
        }
        return null;
    }

    static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        for (Entry e : entries) {
            if (e.runtime != null) {
                e.runtime.close();
            }
        }
    }

    public static final class Builder<A> {
        private final Corral corral;
        private final Game<A> game;
        private Supplier<JsEngine> jsEngine;
        private long tickFuel = 5_000_000;
        private long loadFuel = 500_000_000;
        private Duration tickTimeout = Duration.ofSeconds(1);
        private Duration loadTimeout = Duration.ofSeconds(60);
        private long maxMemory = 32L << 20;
        private int maxFaults = 3;
        private long seed;
        private WasiClock clock = WasiClock.fixed(java.time.Instant.EPOCH);
        private ModEvents events = new ModEvents() {};

        private Builder(Corral corral, Game<A> game) {
            this.corral = Objects.requireNonNull(corral, "corral");
            this.game = Objects.requireNonNull(game, "game");
        }

        /** Where JavaScript mods' engine comes from (default: loaded into the host's Corral on first use). */
        public Builder<A> jsEngine(Supplier<JsEngine> engine) {
            this.jsEngine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /** Fuel per mod per tick. */
        public Builder<A> tickFuel(long fuel) {
            if (fuel <= 0) {
                throw new IllegalArgumentException("tick fuel must be > 0");
            }
            this.tickFuel = fuel;
            return this;
        }

        /**
         * Fuel for loading, one budget for all of it: a wasm mod's start function, {@code _initialize}
         * and {@code on_load}; a JavaScript mod's engine start-up and top-level code (and, with a
         * budget of its own, {@code onLoad}).
         */
        public Builder<A> loadFuel(long fuel) {
            if (fuel <= 0) {
                throw new IllegalArgumentException("load fuel must be > 0");
            }
            this.loadFuel = fuel;
            return this;
        }

        public Builder<A> tickTimeout(Duration d) {
            this.tickTimeout = positive(d);
            return this;
        }

        /**
         * The wall-clock bound of loading: a wasm mod's start function, {@code _initialize} and
         * {@code on_load} together; a JavaScript mod's start-up, and its {@code onLoad}.
         */
        public Builder<A> loadTimeout(Duration d) {
            this.loadTimeout = positive(d);
            return this;
        }

        public Builder<A> maxMemory(long bytes) {
            if (bytes < 1 << 16) {
                throw new IllegalArgumentException("max memory must be at least one page");
            }
            this.maxMemory = bytes;
            return this;
        }

        public Builder<A> maxFaults(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("max faults must be >= 1");
            }
            this.maxFaults = k;
            return this;
        }

        /** The game's seed: every mod's randomness derives from it and the mod's name. */
        public Builder<A> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The clock mods see (the game advances it, e.g. once per tick). */
        public Builder<A> clock(WasiClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder<A> events(ModEvents events) {
            this.events = Objects.requireNonNull(events, "events");
            return this;
        }

        public ModHost<A> build() {
            return new ModHost<>(this);
        }

        private static Duration positive(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("duration must be positive: " + d);
            }
            return d;
        }
    }
}
