package dev.corral.game;

import dev.corral.CompileCache;
import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.capabilities.WasiClock;
import dev.corral.game.mods.Fault;
import dev.corral.game.mods.ModContext;
import dev.corral.game.mods.ModEvents;
import dev.corral.game.mods.ModHost;
import dev.corral.game.mods.ModSource;
import dev.corral.game.mods.ModStatus;
import dev.corral.game.mods.TickScope;
import dev.corral.spi.HostModuleDef;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of the game: the world, the mods, the loop. Every tick: pick up changed mod files
 * ({@code --watch}) or the recording's reloads ({@code --replay}), advance the mods' clock, let
 * every mod play (in name order), run the world's rules, render.
 */
final class Session {
    /** Game time per tick on the mods' virtual clock. */
    static final Duration TICK_TIME = Duration.ofMillis(100);
    /** Where the mods' clock starts: a fixed instant, so that runs repeat. */
    static final Instant EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    /** The run's settings, as parsed and checked by {@link Main}. */
    record Settings(long seed, long ticks, long tickFuel, long loadFuel, int maxFaults, long modMemory, int width, int height,
            Duration tickTimeout, boolean interpreter, int renderEvery, boolean watch, long paceMillis, Path cache, boolean quiet) {
        Map<String, Long> recorded() {
            var m = new LinkedHashMap<String, Long>();
            m.put("seed", seed);
            m.put("ticks", ticks);
            m.put("tick-fuel", tickFuel);
            m.put("load-fuel", loadFuel);
            m.put("max-faults", (long) maxFaults);
            m.put("mod-memory", modMemory);
            m.put("width", (long) width);
            m.put("height", (long) height);
            return m;
        }
    }

    private final Settings s;
    private final List<ModSource> mods;
    private final Path modsDir;
    private final Path recordTo;
    private final Recording replay;
    private final PrintStream out;
    private final PrintStream err;
    private final Engines engines;
    private final World world;
    private boolean diverged;

    /**
     * @param engines where the engines come from, or null for the session's own
     */
    Session(Settings settings, List<ModSource> mods, Path modsDir, Path recordTo, Recording replay, PrintStream out, PrintStream err,
            Engines engines) {
        this.s = settings;
        this.mods = mods;
        this.modsDir = modsDir;
        this.recordTo = recordTo;
        this.replay = replay;
        this.out = out;
        this.err = err;
        this.engines = engines;
        this.world = new World(settings.width(), settings.height(), settings.seed());
    }

    private Corral newCorral() {
        var b = Corral.builder().executionMode(s.interpreter() ? ExecutionMode.INTERPRETED : ExecutionMode.COMPILED);
        if (s.cache() != null) {
            b.compileCache(CompileCache.directory(s.cache()));
        }
        return b.build();
    }

    /** Plays the whole run; returns the final state hash (also printed, after one line per mod). */
    String run() {
        Corral corral = engines != null ? engines.corral(s.interpreter()) : newCorral();
        var clock = WasiClock.virtual(EPOCH);
        Recording.Writer recorder = recordTo == null ? null : new Recording.Writer(recordTo, s.recorded(), mods);
        var events = new Printer(recorder);
        var game = new GameBinding(world, s.seed());
        var builder = ModHost.builder(corral, game)
                .tickFuel(s.tickFuel()).loadFuel(s.loadFuel()).maxFaults(s.maxFaults()).maxMemory(s.modMemory())
                .tickTimeout(s.tickTimeout()).seed(s.seed()).clock(clock).events(events);
        if (engines != null) {
            builder.jsEngine(() -> engines.js(s.interpreter()));
        }
        String hash;
        try (ModHost<GameApi> host = builder.build()) {
            host.load(mods);
            var watcher = s.watch() ? new DirWatcher(modsDir, host.sources()) : null;
            if (s.renderEvery() > 0) {
                out.print(Frame.render(world));
            }
            for (long t = 1; t <= s.ticks(); t++) {
                if (watcher != null) {
                    for (ModSource changed : watcher.poll(host.sources())) {
                        err.println("[game] tick " + t + ": " + changed.fileName() + " changed, reloading");
                        if (recorder != null) {
                            recorder.reload(t, changed);
                        }
                        host.reload(changed);
                    }
                }
                Map<String, Fault> forced = Map.of();
                if (replay != null) {
                    for (ModSource r : replay.reloads.getOrDefault(t, List.of())) {
                        err.println("[game] tick " + t + ": reloading " + r.fileName() + " as recorded");
                        host.reload(r);
                    }
                    forced = replay.faults.getOrDefault(t, Map.of());
                }
                world.beginTick(t);
                clock.advance(TICK_TIME);
                events.forced = forced;
                host.tick(t, forced);
                world.step();
                if (recorder != null || replay != null) {
                    String h = hash(host.statuses());
                    if (recorder != null) {
                        recorder.hash(t, h);
                    }
                    String expected = replay == null ? null : replay.hashes.get(t);
                    if (expected != null && !expected.equals(h) && !diverged) {
                        diverged = true;
                        err.println("[game] replay diverged from the recording at tick " + t + " (state " + h + ", recorded " + expected + ")");
                    }
                }
                if (s.renderEvery() > 0 && t % s.renderEvery() == 0) {
                    out.print(Frame.render(world));
                }
                if (s.paceMillis() > 0) {
                    sleep(s.paceMillis());
                }
            }
            for (ModStatus m : host.statuses()) {
                out.println(m.line());
            }
            hash = hash(host.statuses());
            if (recorder != null) {
                recorder.end(hash);
            }
        } finally {
            if (recorder != null) {
                recorder.close();
            }
            if (engines == null) {
                corral.close();
            }
        }
        out.println("state sha256=" + hash);
        if (replay != null && replay.finalHash != null && !replay.finalHash.equals(hash)) {
            err.println("[game] replay ended in another state than the recording (" + replay.finalHash + ")");
        }
        return hash;
    }

    /** SHA-256 of the world and of each mod's standing (active, ticks played, faults), in name order. */
    String hash(List<ModStatus> statuses) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md.update("corral-game state 1".getBytes(StandardCharsets.UTF_8));
        world.digest(md);
        for (ModStatus m : statuses) {
            md.update(m.name().getBytes(StandardCharsets.UTF_8));
            md.update(ByteBuffer.allocate(17).put((byte) (m.active() ? 1 : 0)).putLong(m.ticks()).putLong(m.faults()).array());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The game's side of the mod host: one {@link ModApi} per mod over this world. */
    static final class GameBinding implements ModHost.Game<GameApi> {
        private final World world;
        private final long seed;

        GameBinding(World world, long seed) {
            this.world = world;
            this.seed = seed;
        }

        @Override
        public Class<GameApi> api() {
            return GameApi.class;
        }

        @Override
        public String apiName() {
            return "game";
        }

        @Override
        public GameApi bind(ModContext mod) {
            return new ModApi(world, mod, seed);
        }

        @Override
        public TickScope scope(GameApi api) {
            return (ModApi) api;
        }

        @Override
        public HostModuleDef wasmBindings(GameApi api) {
            return new GameApi_CorralHost(api);
        }
    }

    /** Mod events to stderr (and the recording). */
    private final class Printer implements ModEvents {
        private final Recording.Writer recorder;
        Map<String, Fault> forced = Map.of();

        Printer(Recording.Writer recorder) {
            this.recorder = recorder;
        }

        @Override
        public void log(long tick, String mod, String line, boolean rolledBack) {
            if (!s.quiet()) {
                err.println("[tick " + tick + "] " + mod + (rolledBack ? " (rolled back)" : "") + ": " + line);
            }
        }

        @Override
        public void loaded(String mod, String sha256) {
            err.println("[game] mod " + mod + " loaded (sha256 " + sha256.substring(0, 12) + "...)");
        }

        @Override
        public void refused(String mod, String reason) {
            err.println("[game] mod " + mod + " refused: " + reason);
        }

        @Override
        public void fault(long tick, String mod, Fault kind, String message, boolean disabled) {
            err.println("[tick " + tick + "] " + mod + " faulted (" + kind.label() + "): " + message + "; tick rolled back"
                    + (disabled ? "; mod disabled" : ""));
            if (!kind.reproducible()) {
                if (recorder != null) {
                    recorder.fault(tick, mod, kind);
                }
                if (replay != null && !forced.containsKey(mod) && !diverged) {
                    diverged = true;
                    err.println("[game] replay diverged: " + mod + " faulted (" + kind.label() + ") at tick " + tick
                            + ", which the recorded run did not");
                }
            }
        }
    }
}
