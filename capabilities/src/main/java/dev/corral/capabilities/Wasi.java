package dev.corral.capabilities;

import dev.corral.ImportDescriptor;
import dev.corral.PluginModule;
import dev.corral.UnlinkableModuleException;
import dev.corral.capabilities.internal.Coverage;
import dev.corral.capabilities.internal.Preopen;
import dev.corral.capabilities.internal.wasi.WasiInstance;
import dev.corral.spi.Capability;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * WASI preview1 for plugins, deny by default: grant exactly the directories, clock, randomness,
 * environment, arguments and output a plugin may use. Every preview1 function links; a call the
 * grants do not cover returns an errno (see the module README for the table), is counted in
 * {@link #deniedCalls()} and logged at DEBUG on logger {@code dev.corral.capabilities.wasi}.
 *
 * <pre>{@code
 * var wasi = Wasi.builder()
 *         .directory(Path.of("data"), "/data", Access.READ_ONLY)
 *         .clock(WasiClock.fixed(Instant.parse("2020-01-01T00:00:00Z")))
 *         .random(WasiRandom.seeded(42))
 *         .env("LANG", "C")
 *         .stdout(WasiOutput.capture(64 * 1024))
 *         .build();
 * var plugin = module.instantiate(PluginPolicy.builder().grant(wasi).build());
 * }</pre>
 *
 * <p>Immutable and thread-safe; every plugin instance gets its own descriptors and streams.
 */
public final class Wasi implements Capability {
    private final List<Preopen> preopens;
    private final long writeQuota;
    private final WasiClock clock;
    private final WasiRandom random;
    private final Map<String, String> env;
    private final List<String> args;
    private final WasiOutput stdout;
    private final WasiOutput stderr;
    private final boolean strict;
    private final Map<String, LongAdder> denied = new ConcurrentHashMap<>();

    private Wasi(Builder b) {
        this.preopens = List.copyOf(b.preopens);
        this.writeQuota = b.writeQuota;
        this.clock = b.clock;
        this.random = b.random;
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.args = List.copyOf(b.args);
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.strict = b.strict;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Nothing granted: the same answers as having no WASI capability at all, plus counters. */
    public static Wasi denyAll() {
        return builder().build();
    }

    @Override
    public Binding bind(PluginModule module) {
        if (strict) {
            var coverage = new Coverage(!preopens.isEmpty(), preopens.stream().anyMatch(p -> !p.readOnly()),
                    clock != null, random != null, !env.isEmpty(),
                    stdout != WasiOutput.discard() || stderr != WasiOutput.discard());
            List<ImportDescriptor> uncovered = new ArrayList<>();
            for (ImportDescriptor d : module.imports()) {
                if (WasiInstance.MODULE.equals(d.module()) && !coverage.covers(d.name())) {
                    uncovered.add(d);
                }
            }
            if (!uncovered.isEmpty()) {
                throw new UnlinkableModuleException(module.name(), uncovered,
                        "strict WASI: these imports are not covered by the plugin's grants");
            }
        }
        var instance = new WasiInstance(module.name(), preopens, writeQuota, clock,
                random == null ? null : random.open(), env, args,
                stdout.open(module.name(), "stdout"), stderr.open(module.name(), "stderr"),
                fn -> {
                    denied.computeIfAbsent(fn, k -> new LongAdder()).increment();
                    Capability.reportDenial(module.name(), "wasi", fn, "not covered by the grants");
                });
        return new Binding() {
            @Override
            public List<HostModuleDef> hostModules() {
                return List.of(instance.hostModule());
            }

            @Override
            public Snapshot snapshot() {
                return instance.snapshot();
            }

            @Override
            public void close() {
                instance.close();
            }
        };
    }

    /** Denied calls so far, by WASI function name, summed over every instance bound to this grant. */
    public Map<String, Long> deniedCalls() {
        Map<String, Long> out = new TreeMap<>();
        denied.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Total of {@link #deniedCalls()}. */
    public long deniedTotal() {
        long n = 0;
        for (LongAdder a : denied.values()) {
            n += a.sum();
        }
        return n;
    }

    public static final class Builder {
        private final List<Preopen> preopens = new ArrayList<>();
        private long writeQuota = -1;
        private WasiClock clock;
        private WasiRandom random;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> args = new ArrayList<>();
        private WasiOutput stdout = WasiOutput.discard();
        private WasiOutput stderr = WasiOutput.discard();
        private boolean strict;

        private Builder() {}

        /**
         * Preopens host directory {@code hostDir} (resolved to its real path now) at
         * {@code guestPath}. The plugin reaches nothing outside it: not through {@code ..},
         * absolute paths, symlinks (existing or its own) or hard links.
         */
        public Builder directory(Path hostDir, String guestPath, Access access) {
            Objects.requireNonNull(access, "access");
            Objects.requireNonNull(guestPath, "guestPath");
            if (guestPath.isEmpty() || guestPath.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("guest path must be non-empty and contain no NUL: '" + guestPath + "'");
            }
            Path real;
            try {
                real = hostDir.toRealPath();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot grant directory " + hostDir + ": " + e.getMessage(), e);
            }
            if (!Files.isDirectory(real)) {
                throw new IllegalArgumentException("cannot grant " + hostDir + ": not a directory");
            }
            preopens.add(new Preopen(real, guestPath, access == Access.READ_ONLY));
            return this;
        }

        /** At most {@code bytes} written to files (and files grown) per plugin instance; beyond, EDQUOT. */
        public Builder writeQuota(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("writeQuota must be >= 0, got " + bytes);
            }
            this.writeQuota = bytes;
            return this;
        }

        public Builder clock(WasiClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder random(WasiRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** One environment variable; the host's own environment is never passed implicitly. */
        public Builder env(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("bad environment variable '" + name + "'");
            }
            env.put(name, value);
            return this;
        }

        public Builder env(Map<String, String> vars) {
            vars.forEach(this::env);
            return this;
        }

        /** Arguments after argv[0], which is always the plugin's name. */
        public Builder args(List<String> arguments) {
            for (String a : arguments) {
                if (a.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("argument contains NUL: '" + a + "'");
                }
            }
            args.addAll(arguments);
            return this;
        }

        public Builder args(String... arguments) {
            return args(List.of(arguments));
        }

        public Builder stdout(WasiOutput out) {
            this.stdout = Objects.requireNonNull(out, "out");
            return this;
        }

        public Builder stderr(WasiOutput err) {
            this.stderr = Objects.requireNonNull(err, "err");
            return this;
        }

        /** Fail at instantiate, listing them, when the module imports WASI functions no grant covers. */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /**
         * @throws IllegalArgumentException if a directory lies inside (or is) a READ_WRITE one: the
         *     writable grant could rename it away and put a symlink in its place
         */
        public Wasi build() {
            for (Preopen outer : preopens) {
                for (Preopen inner : preopens) {
                    if (outer != inner && !outer.readOnly() && inner.root().startsWith(outer.root())) {
                        throw new IllegalArgumentException("directory " + inner.root() + " (" + inner.guestPath()
                                + ") lies inside read-write directory " + outer.root() + " (" + outer.guestPath()
                                + "): overlapping grants are refused because the writable one could replace it");
                    }
                }
            }
            return new Wasi(this);
        }
    }
}
