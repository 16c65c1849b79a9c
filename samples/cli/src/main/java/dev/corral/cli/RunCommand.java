package dev.corral.cli;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.FunctionSignature;
import dev.corral.ModuleInfo;
import dev.corral.Plugin;
import dev.corral.PluginExitException;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.ModuleLoadException;
import dev.corral.Results;
import dev.corral.UnlinkableModuleException;
import dev.corral.capabilities.PluginLogging;
import dev.corral.capabilities.Wasi;
import dev.corral.capabilities.WasiOutput;
import dev.corral.bindings.Abi;
import dev.corral.bindings.AbiException;
import dev.corral.bindings.GuestAbi;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code corral run [options] MODULE [--invoke EXPORT] [ARG...]}. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs a WASI command's _start, or calls one export with --invoke.",
            "The plugin's stdout and stderr are this process's; nothing else is granted unless asked:",
            "no file without --dir, no variable without --env, clocks at 0 without --clock,",
            "no randomness without --random. Denied calls get an errno, as on a real system."})
final class RunCommand implements Callable<Integer>, Main.Verbose {
    private static final FunctionSignature NO_ARGS = FunctionSignature.of(List.of(), List.of());

    private final PrintStream out;
    private final PrintStream err;

    @Option(names = "--invoke", paramLabel = "EXPORT",
            description = "Call this export with ARGs parsed per its parameter types (i32, i64, f32, f64) and print its results.")
    private String invoke;

    @Option(names = "--input", paramLabel = "TEXT|@FILE",
            description = "Call EXPORT, of shape (string) -> string, through the Corral guest ABI with TEXT (or the UTF-8 contents of FILE) and print the string it returns.")
    private String input;

    @Option(names = "--input-bytes", paramLabel = "@FILE",
            description = "As --input with the raw bytes of FILE; the bytes EXPORT returns are written to stdout unchanged.")
    private String inputBytes;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Units.DurationConverter.class,
            description = "Stop the call after this long (wall clock): 500ms, 2s, 1m, 250us.")
    private Duration timeout;

    @Option(names = "--max-memory", paramLabel = "SIZE", converter = Units.SizeConverter.class,
            description = "Bound the plugin's memory: 64KiB, 16MiB, 1GiB, or bytes. Default 16MiB; never above the module's own max.")
    private Long maxMemory;

    @Option(names = "--fuel", paramLabel = "N", converter = Units.FuelConverter.class,
            description = "Meter the call: stop it after N units of fuel (about one per wasm instruction; exit code 71).")
    private Long fuel;

    @Option(names = "--stats", description = "After the call, print one line on stderr: fuel used (with --fuel), time, memory pages.")
    private boolean stats;

    @Option(names = "--interpreter", description = "Use Chicory's interpreter instead of compiling to JVM bytecode.")
    private boolean interpreter;

    @Option(names = "--tiered",
            description = "Tiered compilation: when the module is not in the compile cache yet, run it in the interpreter "
                    + "at once while it compiles in the background (for the cache, before the process exits).")
    private boolean tiered;

    @Option(names = "--no-cache",
            description = "Do not use the persistent compile cache ($XDG_CACHE_HOME/corral or ~/.cache/corral): compile in memory.")
    private boolean noCache;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Keep compiled modules in DIR instead of the default cache directory.")
    private Path cacheDir;

    @Option(names = "--verbose", description = "Report timings and denied WASI calls on stderr, and stack traces with errors.")
    private boolean verbose;

    @Option(names = "--dir", paramLabel = "HOST_DIR[::GUEST_PATH][:ro|:rw]",
            description = "Preopen a host directory, read-only unless :rw; the guest path defaults to HOST_DIR. Repeatable.")
    private List<String> dirs = new ArrayList<>();

    @Option(names = "--env", paramLabel = "NAME=VALUE", description = "Set one environment variable for the plugin. Repeatable.")
    private List<String> envs = new ArrayList<>();

    @Option(names = "--arg", paramLabel = "ARG", description = "Append one WASI argument (before the positional ARGs of a command). Repeatable.")
    private List<String> extraArgs = new ArrayList<>();

    @Option(names = "--clock", paramLabel = "system|fixed:ISO_INSTANT",
            description = "Grant a clock: the host's, or one fixed at an instant such as fixed:2020-01-01T00:00:00Z.")
    private String clock;

    @Option(names = "--random", paramLabel = "secure|seed:N", description = "Grant randomness: secure, or deterministic from seed N.")
    private String random;

    @Option(names = "--log", description = "Grant plugin logging (host module corral_log): one stderr line per record.")
    private boolean log;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "With --log: the lowest level shown, trace, debug, info (default), warn or error.")
    private String logLevel;

    @Option(names = "--strict", description = "Refuse the module (exit 65) if it imports WASI functions the grants do not cover.")
    private boolean strict;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file.")
    private Path module;

    @Parameters(index = "1..*", paramLabel = "ARG",
            description = "Arguments for EXPORT, or the WASI command's arguments (after '--' if they start with '-').")
    private List<String> args = new ArrayList<>();

    RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public boolean verbose() {
        return verbose;
    }

    @Override
    public Integer call() {
        List<String> wasiArgs = new ArrayList<>(extraArgs);
        if (invoke == null) {
            wasiArgs.addAll(args);
        }
        Wasi wasi = Grants.wasi(dirs, envs, wasiArgs, clock, random, strict)
                .stdout(WasiOutput.forward(out))
                .stderr(WasiOutput.forward(err))
                .build();
        var policy = PluginPolicy.builder().grant(wasi);
        if (logLevel != null && !log) {
            throw new UsageException("--log-level needs --log");
        }
        if (log) {
            var level = PluginLog.level(logLevel == null ? "info" : logLevel);
            policy.grant(PluginLogging.builder().threshold(level).logger(new PluginLog(err, level)).build());
        }
        if (timeout != null) {
            policy.timeout(timeout);
        }
        if (maxMemory != null) {
            policy.maxMemory(maxMemory);
        }
        if (fuel != null) {
            policy.fuel(fuel);
        }
        var mode = interpreter ? ExecutionMode.INTERPRETED : ExecutionMode.COMPILED;
        if (noCache && cacheDir != null) {
            throw new UsageException("--no-cache and --cache-dir exclude each other");
        }
        var engine = Corral.builder().executionMode(mode);
        if (!noCache && mode == ExecutionMode.COMPILED) {
            Path dir = cacheDir != null ? cacheDir : CompileCaches.defaultDirectory(System.getenv(), System.getProperty("user.home"));
            engine.compileCache(CompileCaches.open(dir, verbose, err));
        }
        try (Corral corral = engine.build()) {
            PluginModule[] loaded = {null};
            try {
                // parse only, then everything that can fail without compiled code: a 16 MB module
                // takes minutes to compile, a missing _start or import is known in milliseconds
                long t0 = System.nanoTime();
                ModuleInfo info = corral.loader().executionMode(mode).tiered(tiered).inspect(module);
                trace("parsed '" + info.name() + "' (" + info.functionCount() + " functions)", t0);
                if ((input != null || inputBytes != null) && invoke == null) {
                    throw new UsageException((input != null ? "--input" : "--input-bytes") + " needs --invoke EXPORT");
                }
                String export = invoke == null ? "_start" : invoke;
                FunctionSignature sig = info.exportedFunction(export).orElseThrow(() -> noSuchExport(info, export));
                boolean abi = input != null || inputBytes != null;
                long[] raw = abi ? null : invoke == null ? checkCommand(info, sig) : parseArguments(export, sig);
                byte[] data = abi ? abiInput(info, export, sig) : null;
                PluginPolicy built = policy.build();
                try {
                    info.checkLinkable(built);
                } catch (UnlinkableModuleException e) {
                    throw inCliTerms(info.name(), e);
                }

                t0 = System.nanoTime();
                PluginModule m = info.compile();
                loaded[0] = m;
                trace("loaded '" + m.name() + "' (" + mode.name().toLowerCase(Locale.ROOT) + ", sha256 " + m.sha256()
                        + (corral.stats().cacheHits() > 0 ? ", from the compile cache" : "")
                        + (tiered && !compiledNow(m) ? ", interpreted while it compiles" : "") + ")", t0);

                if (abi) {
                    t0 = System.nanoTime();
                    try (Plugin plugin = instantiate(m, built)) {
                        trace("instantiated", t0);
                        return invokeAbi(plugin, export, data);
                    }
                }
                t0 = System.nanoTime();
                try (Plugin plugin = instantiate(m, built)) {
                    trace("instantiated", t0);
                    if (invoke == null) {
                        return runCommand(plugin);
                    }
                    return invoke(m, plugin, export, sig, raw);
                } finally {
                    if (verbose && wasi.deniedTotal() > 0) {
                        err.println("[corral] denied WASI calls: " + wasi.deniedCalls());
                    }
                }
            } finally {
                if (tiered && loaded[0] != null) {
                    finishInBackground(loaded[0]);
                }
            }
        }
    }

    private static boolean compiledNow(PluginModule m) {
        try {
            return m.awaitCompiled(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * --tiered: the run is over (its output is out); let the background compile finish so that
     * the compile cache has the module for the next run. Without a cache there is nothing to keep.
     */
    private void finishInBackground(PluginModule m) {
        if (noCache) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            boolean done = m.awaitCompiled(Duration.ofMinutes(30));
            trace(done ? "compiled in the background, for the next run" : "background compile failed", t0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Instantiates, with the unlinkable message in the CLI's terms (checked before compiling already). */
    private static Plugin instantiate(PluginModule m, PluginPolicy policy) {
        try {
            return m.instantiate(policy);
        } catch (UnlinkableModuleException e) {
            throw inCliTerms(m.name(), e);
        }
    }

    /** The unlinkable message in the CLI's terms: flags, not Java API. */
    private static UnlinkableModuleException inCliTerms(String name, UnlinkableModuleException e) {
        boolean logs = e.missingImports().stream().anyMatch(i -> i.module().equals(PluginLogging.MODULE));
        boolean others = e.missingImports().stream().anyMatch(i -> !i.module().equals(PluginLogging.MODULE));
        String hint = (logs ? "the plugin logs: grant logging with --log" : "")
                + (logs && others ? "; " : "")
                + (others ? "the CLI provides no host modules but WASI (see --dir, --env, --clock, --random) and logging (--log)" : "");
        var cli = new UnlinkableModuleException(name, e.missingImports(), hint);
        cli.initCause(e);
        return cli;
    }

    private int runCommand(Plugin plugin) {
        long fuelBefore = plugin.fuelConsumedTotal();
        long t0 = System.nanoTime();
        try {
            int code = plugin.runMain();
            trace("_start ended with exit code " + code + sinceJvmStart(), t0);
            return code;
        } finally {
            stats(plugin, t0, fuelBefore);
        }
    }

    /** The {@code --stats} line, also after a failed call (then before the error line). */
    private void stats(Plugin plugin, long startNanos, long fuelBefore) {
        if (!stats) {
            return;
        }
        long nanos = System.nanoTime() - startNanos;
        out.flush();
        // a difference of totals: an --input call is several guest calls
        err.printf(Locale.ROOT, "corral: stats: %stime=%.3fms memory=%d%n",
                fuel != null ? "fuel=" + (plugin.fuelConsumedTotal() - fuelBefore) + " " : "", nanos / 1e6,
                plugin.memoryPages());
        err.flush();
    }

    private int invoke(PluginModule m, Plugin plugin, String export, FunctionSignature sig, long[] raw) {
        try {
            // a WASI reactor's _initialize already ran once at instantiation (core), as wasmtime does it
            var function = plugin.function(export);
            long fuelBefore = plugin.fuelConsumedTotal();
            long t0 = System.nanoTime();
            long[] results;
            try {
                results = function.callRaw(raw);
            } finally {
                stats(plugin, t0, fuelBefore);
            }
            trace("'" + export + "' returned" + sinceJvmStart(), t0);
            var r = new Results(sig.results(), results);
            out.flush(); // the guest's own output first
            if (r.size() > 0) {
                out.println(r);
            }
            return 0;
        } catch (PluginExitException e) {
            return e.exitCode();
        }
    }

    /** Checks an ABI call (--input / --input-bytes) before instantiating, and reads its input. */
    private byte[] abiInput(ModuleInfo m, String export, FunctionSignature sig) {
        String option = input != null ? "--input" : "--input-bytes";
        if (input != null && inputBytes != null) {
            throw new UsageException("--input and --input-bytes exclude each other");
        }
        if (!args.isEmpty()) {
            throw new UsageException(option + " passes the export's only argument; remove the extra arguments " + args);
        }
        if (!sig.equals(GuestAbi.BYTES_TO_BYTES)) {
            throw new UsageException("'" + export + "' has type " + sig + ", but " + option + " needs an export of shape "
                    + GuestAbi.BYTES_TO_BYTES + " (string in, string out; see guest-sdks/ABI.md)");
        }
        try {
            Abi.requireVersion(m.exports(), m.name());
        } catch (AbiException e) {
            throw new ModuleLoadException(ModuleLoadException.Reason.UNSUPPORTED, e.getMessage(), e);
        }
        if (input != null && !input.startsWith("@")) {
            return input.getBytes(StandardCharsets.UTF_8);
        }
        String value = input != null ? input : inputBytes;
        if (!value.startsWith("@") || value.length() == 1) {
            throw new UsageException("--input-bytes takes @FILE, got '" + value + "'");
        }
        Path file = Path.of(value.substring(1));
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            throw new InputFileException("cannot read input file '" + file + "': " + InputFileException.describe(e), e);
        }
        if (input != null) {
            try {
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(data));
            } catch (CharacterCodingException e) {
                throw new UsageException("input file '" + file + "' is not UTF-8 text; pass it with --input-bytes");
            }
        }
        return data;
    }

    private int invokeAbi(Plugin plugin, String export, byte[] data) {
        try {
            // a reactor's _initialize already ran at instantiation (core)
            long fuelBefore = plugin.fuelConsumedTotal();
            long t0 = System.nanoTime();
            GuestAbi abi;
            try {
                abi = GuestAbi.of(plugin, true);
            } catch (AbiException e) {
                throw new ModuleLoadException(ModuleLoadException.Reason.UNSUPPORTED, e.getMessage(), e);
            }
            byte[] result;
            try {
                if (input != null) {
                    // strict UTF-8 on the way back too; written as UTF-8 whatever the platform's charset
                    result = abi.callString(export, new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                } else {
                    result = abi.callBytes(export, data);
                }
            } finally {
                stats(plugin, t0, fuelBefore);
            }
            trace("'" + export + "' returned " + result.length + " bytes" + sinceJvmStart(), t0);
            out.flush(); // the guest's own output first
            out.write(result, 0, result.length);
            if (input != null) {
                out.write('\n');
            }
            out.flush();
            return 0;
        } catch (PluginExitException e) {
            return e.exitCode();
        }
    }

    private long[] checkCommand(ModuleInfo m, FunctionSignature sig) {
        if (!sig.equals(NO_ARGS)) {
            throw new UsageException("'_start' of module '" + m.name() + "' has type " + sig + ", not () -> (): not a WASI command; use --invoke EXPORT");
        }
        return new long[0];
    }

    private long[] parseArguments(String export, FunctionSignature sig) {
        var params = sig.params();
        if (args.size() != params.size()) {
            throw new UsageException("'" + export + "' takes " + params.size() + (params.size() == 1 ? " argument " : " arguments ")
                    + sig + ", got " + args.size());
        }
        long[] raw = new long[params.size()];
        for (int i = 0; i < raw.length; i++) {
            try {
                raw[i] = WasmValues.parse(params.get(i), args.get(i));
            } catch (IllegalArgumentException e) {
                throw new UsageException("argument " + (i + 1) + " of '" + export + "' " + sig + ": " + e.getMessage());
            }
        }
        return raw;
    }

    private static UsageException noSuchExport(ModuleInfo m, String export) {
        var names = new StringBuilder();
        for (var e : m.exports()) {
            if (e.signature() != null) {
                names.append(names.length() == 0 ? "" : ", ").append(e.name()).append(' ').append(e.signature());
            }
        }
        String hint = export.equals("_start") ? " (not a WASI command; use --invoke EXPORT)" : "";
        return new UsageException("module '" + m.name() + "' exports no function '" + export + "'" + hint
                + "; its functions: " + (names.length() == 0 ? "(none)" : names));
    }

    /** ", 1234 ms after the JVM started": start-up as a user waits for it (--verbose only). */
    private String sinceJvmStart() {
        if (!verbose) {
            return "";
        }
        long start = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        return " (" + (System.currentTimeMillis() - start) + " ms after the JVM started)";
    }

    private void trace(String what, long startNanos) {
        if (verbose) {
            err.printf(Locale.ROOT, "[corral] %s in %.2f ms%n", what, (System.nanoTime() - startNanos) / 1e6);
        }
    }
}
