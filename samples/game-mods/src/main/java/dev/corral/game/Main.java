package dev.corral.game;

import dev.corral.game.mods.ModSource;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code corral-game}: a headless creature simulation whose mods (wasm or JavaScript) run in
 * Corral's sandbox, each with a fuel budget and a deadline per tick, rolled back when they fail.
 *
 * <pre>
 * java -jar corral-game.jar --mods DIR --ticks N --seed S [--tick-fuel N] [--max-faults K] [--interpreter]
 *      [--record FILE | --replay FILE] [--render EVERY] [--watch]
 * </pre>
 *
 * At the end: one line per mod, {@code mod NAME: status=active|disabled ticks=N faults=F fuel=TOTAL},
 * in name order, then {@code state sha256=HEX}. Exit 0 when the run completes (disabled mods
 * included), 64 for usage errors, 65 for a recording that cannot be replayed.
 */
@Command(name = "corral-game", mixinStandardHelpOptions = true, version = "corral-game 0.1.0",
        description = "A creature simulation whose mods run in Corral's sandbox.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the run completed (disabled mods included)", "64:usage error", "65:the recording cannot be replayed",
            "70:internal error"})
public final class Main implements java.util.concurrent.Callable<Integer> {
    static final int OK = 0;
    static final int USAGE = 64;
    static final int DATA = 65;
    static final int INTERNAL = 70;
    /** The game thread's stack: JavaScript and deep wasm recursion use JVM stack; reserved, not committed. */
    static final long GAME_STACK = 512L << 20;

    @Option(names = "--mods", paramLabel = "DIR", description = "Directory of mods: NAME.wasm and NAME.js files.")
    Path mods;

    @Option(names = "--ticks", paramLabel = "N", description = "Ticks to play.")
    Long ticks;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of everything: world, mods' randomness.")
    Long seed;

    @Option(names = "--tick-fuel", paramLabel = "N", description = "Fuel per mod per tick (default ${DEFAULT-VALUE}).", defaultValue = "5000000")
    long tickFuel;

    @Option(names = "--max-faults", paramLabel = "K", description = "Faults in a row that disable a mod (default ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int maxFaults;

    @Option(names = "--interpreter", description = "Run mods in Chicory's interpreter instead of compiled (same results, slower).")
    boolean interpreter;

    @Option(names = "--record", paramLabel = "FILE", description = "Record the run (settings, mods, reloads) to FILE.")
    Path record;

    @Option(names = "--replay", paramLabel = "FILE", description = "Play a recorded run again.")
    Path replay;

    @Option(names = "--render", paramLabel = "EVERY", description = "Print the world every EVERY ticks.")
    Integer render;

    @Option(names = "--watch", description = "Reload changed mod files at the next tick boundary.")
    boolean watch;

    @Option(names = "--tick-timeout", paramLabel = "MS", description = "Deadline of each mod's tick in ms (default 2000; 20000 with --interpreter).")
    Long tickTimeoutMillis;

    @Option(names = "--load-fuel", paramLabel = "N", description = "Fuel for a JavaScript mod's start-up (default ${DEFAULT-VALUE}).",
            defaultValue = "500000000")
    long loadFuel;

    @Option(names = "--mod-memory", paramLabel = "MIB", description = "Memory limit per mod in MiB (default ${DEFAULT-VALUE}).", defaultValue = "32")
    int modMemoryMib;

    @Option(names = "--size", paramLabel = "WxH", description = "World size (default ${DEFAULT-VALUE}).", defaultValue = "48x20")
    String size;

    @Option(names = "--pace", paramLabel = "MS", description = "Wait MS between ticks (to watch, or edit mods while --watch runs).",
            defaultValue = "0")
    long paceMillis;

    @Option(names = "--cache", paramLabel = "DIR", description = "Compile cache (default: corral-game-cache in the temp directory).")
    Path cache;

    @Option(names = "--no-cache", description = "Do not keep compiled mods between runs.")
    boolean noCache;

    @Option(names = "--quiet", description = "Do not print mods' log lines.")
    boolean quiet;

    private final PrintStream out;
    private final PrintStream err;
    private final Engines engines;

    Main(PrintStream out, PrintStream err, Engines engines) {
        this.out = out;
        this.err = err;
        this.engines = engines;
    }

    public static void main(String[] args) {
        var code = new AtomicInteger(INTERNAL);
        // the game loop gets a thread with a large stack: mods' frames live on the JVM's stack
        Runnable run = () -> code.set(execute(args, System.out, System.err, null));
        Thread game = new Thread(null, run, "corral-game", GAME_STACK);
        try {
            game.start();
        } catch (OutOfMemoryError e) {
            // no room to reserve that much stack (a ulimit): a smaller one still goes a long way
            game = new Thread(null, run, "corral-game", 64L << 20);
            game.start();
        }
        try {
            game.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.flush();
        System.exit(code.get());
    }

    /** One run; never exits the JVM. {@code engines} may be null (made per run); tests share theirs. */
    static int execute(String[] args, PrintStream out, PrintStream err, Engines engines) {
        var cli = new CommandLine(new Main(out, err, engines));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("corral-game: " + ex.getMessage() + " (see --help)");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((ex, c, p) -> {
            if (ex instanceof Usage) {
                err.println("corral-game: " + ex.getMessage() + " (see --help)");
                return USAGE;
            }
            if (ex instanceof Recording.BadRecording) {
                err.println("corral-game: " + ex.getMessage());
                return DATA;
            }
            err.println("corral-game: internal error: " + ex);
            ex.printStackTrace(err);
            return INTERNAL;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** A bad combination of options: exit 64. */
    static final class Usage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Usage(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() {
        if (record != null && replay != null) {
            throw new Usage("--record and --replay cannot be used together");
        }
        Recording rec = replay == null ? null : Recording.read(replay);
        if (rec != null && watch) {
            throw new Usage("--watch cannot be used with --replay: a replay applies the recorded reloads");
        }
        if (rec == null && (mods == null || ticks == null || seed == null)) {
            throw new Usage("--mods, --ticks and --seed are required (or --replay FILE)");
        }
        long s = setting(rec, "seed", seed);
        long n = setting(rec, "ticks", ticks);
        long fuel = setting(rec, "tick-fuel", explicit("--tick-fuel") ? tickFuel : null, tickFuel);
        long lFuel = setting(rec, "load-fuel", explicit("--load-fuel") ? loadFuel : null, loadFuel);
        long faults = setting(rec, "max-faults", explicit("--max-faults") ? (long) maxFaults : null, maxFaults);
        long memory = setting(rec, "mod-memory", explicit("--mod-memory") ? (long) modMemoryMib << 20 : null, (long) modMemoryMib << 20);
        int[] wh = parseSize(size);
        long w = setting(rec, "width", explicit("--size") ? (long) wh[0] : null, wh[0]);
        long h = setting(rec, "height", explicit("--size") ? (long) wh[1] : null, wh[1]);
        if (n < 0) {
            throw new Usage("--ticks must be >= 0, got " + n);
        }
        if (fuel <= 0 || lFuel <= 0) {
            throw new Usage("fuel must be > 0");
        }
        if (faults < 1) {
            throw new Usage("--max-faults must be >= 1, got " + faults);
        }
        if (memory < 1L << 20 || memory > 4096L << 20) {
            throw new Usage("--mod-memory must be in 1..4096 MiB");
        }
        if (render != null && render < 1) {
            throw new Usage("--render must be >= 1, got " + render);
        }
        if (paceMillis < 0) {
            throw new Usage("--pace must be >= 0");
        }
        long timeout = tickTimeoutMillis != null ? tickTimeoutMillis : interpreter ? 20_000 : 2_000;
        if (timeout <= 0) {
            throw new Usage("--tick-timeout must be > 0");
        }
        List<ModSource> sources;
        if (rec != null) {
            sources = rec.mods;
            if (mods != null) {
                checkSameMods(readDir(mods), sources);
            }
        } else {
            sources = readDir(mods);
        }
        Path cacheDir = noCache ? null : cache != null ? cache : Path.of(System.getProperty("java.io.tmpdir"), "corral-game-cache");
        var settings = new Session.Settings(s, n, fuel, lFuel, (int) faults, memory, (int) w, (int) h, Duration.ofMillis(timeout),
                interpreter, render == null ? 0 : render, watch, paceMillis, cacheDir, quiet);
        new Session(settings, sources, mods, record, rec, out, err, engines).run();
        return OK;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Whether the option was given on the command line (picocli fills in defaults otherwise). */
    private boolean explicit(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** A setting from the recording, which an option given on the command line must agree with. */
    private static long setting(Recording rec, String name, Long given, long fallback) {
        if (rec == null) {
            return given != null ? given : fallback;
        }
        long recorded = rec.setting(name);
        if (given != null && given != recorded) {
            throw new Usage("--" + name + " " + given + " differs from the recording's " + recorded + " (leave it out to replay)");
        }
        return recorded;
    }

    private static long setting(Recording rec, String name, Long given) {
        return setting(rec, name, given, given == null ? 0 : given);
    }

    static int[] parseSize(String s) {
        String[] p = s.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int w = Integer.parseInt(p[0]);
                int h = Integer.parseInt(p[1]);
                if (w >= 4 && h >= 4 && w <= 1024 && h <= 1024) {
                    return new int[] {w, h};
                }
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new Usage("--size must be WIDTHxHEIGHT, each 4..1024, got '" + s + "'");
    }

    /** The mod files of a directory ({@code *.wasm}, {@code *.js}), in name order. */
    static List<ModSource> readDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new Usage("--mods " + dir + " is not a directory");
        }
        var out = new ArrayList<ModSource>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(ModSource::isMod).filter(Files::isRegularFile).sorted().toList()) {
                out.add(new ModSource(p.getFileName().toString(), Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new Usage("cannot read --mods " + dir + ": " + e.getMessage());
        }
        var names = new java.util.HashSet<String>();
        for (ModSource m : out) {
            if (!names.add(m.name())) {
                throw new Usage("--mods " + dir + " has two mods named '" + m.name() + "' (.wasm and .js): names must be unique");
            }
        }
        return out;
    }

    private static void checkSameMods(List<ModSource> dir, List<ModSource> recorded) {
        Map<String, String> a = new java.util.TreeMap<>();
        Map<String, String> b = new java.util.TreeMap<>();
        dir.forEach(m -> a.put(m.fileName(), m.sha256()));
        recorded.forEach(m -> b.put(m.fileName(), m.sha256()));
        if (!a.equals(b)) {
            throw new Usage("--mods holds other mods than the recording (the recording carries its mods: leave --mods out to replay)");
        }
    }
}
