package dev.corral.proxywasm;

import dev.corral.Corral;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.capabilities.Wasi;
import dev.corral.capabilities.WasiClock;
import dev.corral.capabilities.WasiOutput;
import dev.corral.capabilities.WasiRandom;
import dev.corral.proxywasm.internal.FilterHost;
import dev.corral.proxywasm.internal.FilterRuntime;
import dev.corral.proxywasm.internal.Metrics;
import dev.corral.proxywasm.internal.ModuleShape;
import dev.corral.proxywasm.internal.SharedStore;
import dev.corral.proxywasm.internal.VmBinder;
import dev.corral.proxywasm.internal.VmFault;
import dev.corral.proxywasm.internal.VmPool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One proxy-wasm filter (an Envoy HTTP filter built with any proxy-wasm SDK) running in Corral's
 * sandbox: its module, configuration, limits and fail strategy, and a pool of started VMs, one
 * per concurrent stream. Thread-safe; build once, run it in a {@link FilterChain} (or a
 * {@code ProxyWasmServletFilter}), close it when done.
 *
 * <pre>{@code
 * ProxyWasmFilter auth = ProxyWasmFilter.builder(corral.load(Path.of("auth.wasm")))
 *         .pluginConfig("{\"header\":\"x-api-key\"}")
 *         .timeout(Duration.ofMillis(50))      // per callback
 *         .fuel(10_000_000)                     // per callback, deterministic
 *         .failStrategy(FailStrategy.FAIL_CLOSED)
 *         .build();                             // starts a first VM: a bad filter fails here
 * }</pre>
 *
 * <p>Every callback runs under the filter's policy: fuel and timeout per callback, a memory limit
 * per VM. A callback that traps, times out or runs out of fuel fails its request according to
 * the {@link FailStrategy} for that {@link FaultKind}; the VM is discarded and a fresh one is
 * started for the next stream. The filter reaches nothing outside: WASI is granted with no files
 * and no environment (its output goes to the filter's log), and outbound HTTP and gRPC calls are
 * refused with the status an unknown upstream gets.
 */
public final class ProxyWasmFilter implements AutoCloseable {
    private final String name;
    private final AbiVersion abi;
    private final FilterHost host;
    private final FilterRuntime runtime;

    private ProxyWasmFilter(String name, AbiVersion abi, FilterHost host, FilterRuntime runtime) {
        this.name = name;
        this.abi = abi;
        this.host = host;
        this.runtime = runtime;
    }

    public static Builder builder(PluginModule module) {
        return new Builder(Objects.requireNonNull(module, "module"));
    }

    /** Loads (and compiles, once) the module at {@code wasm} with {@code corral}'s defaults. */
    public static Builder builder(Corral corral, Path wasm) {
        return builder(corral.load(wasm));
    }

    public String name() {
        return name;
    }

    /** The ABI version the module declared. */
    public AbiVersion abiVersion() {
        return abi;
    }

    public FilterStats stats() {
        return runtime.stats();
    }

    /** The metrics the filter defined, by name (counters, gauges; a histogram's sample count and {@code .sum}). */
    public Map<String, Long> metrics() {
        return host.metrics.snapshot();
    }

    /** The filter's shared data, by key. */
    public Map<String, byte[]> sharedData() {
        return host.shared.snapshot();
    }

    /** VMs alive now (idle or lent to a stream). */
    public int vms() {
        return runtime.pool().size();
    }

    Response intercept(Request request, Upstream next) throws IOException {
        return runtime.intercept(request, next);
    }

    /** Stops ticks and closes the idle VMs; VMs still serving a stream close when it ends. */
    @Override
    public void close() {
        runtime.close();
    }

    @Override
    public String toString() {
        return "proxy-wasm filter '" + name + "' (ABI " + abi + ")";
    }

    public static final class Builder {
        private final PluginModule module;
        private String name;
        private String rootId = "";
        private String vmId;
        private byte[] pluginConfig = new byte[0];
        private byte[] vmConfig = new byte[0];
        private PluginPolicy policy = PluginPolicy.builder().maxMemory(32L << 20).timeout(Duration.ofSeconds(1)).build();
        private final Map<FaultKind, FailStrategy> strategies = new EnumMap<>(FaultKind.class);
        private int workers = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private Duration borrowTimeout = Duration.ofSeconds(5);
        private Duration pauseTimeout = Duration.ofSeconds(5);
        private WasiClock clock = WasiClock.system();
        private Wasi wasi;
        private System.Logger logger;
        private int maxHeaderBytes = 64 * 1024;
        private int maxBodyBytes = 8 << 20;
        private int bodyChunkBytes = 64 * 1024;
        private long startFuel = 1_000_000_000L; // 0: each start-up call gets the per-callback fuel
        private boolean startFuelSet;
        private Duration startTimeout = Duration.ofSeconds(10);
        private boolean startTimeoutSet;
        private boolean isolateStreams;
        private final List<Consumer<FilterFault>> listeners = new ArrayList<>();

        private Builder(PluginModule module) {
            this.module = module;
            this.name = module.name();
        }

        /** The filter's name in logs, faults and the {@code plugin_name} property; default the module's name. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Envoy's {@code root_id} ({@code plugin_root_id}): picks the root context in SDKs that register several. */
        public Builder rootId(String rootId) {
            this.rootId = Objects.requireNonNull(rootId, "rootId");
            return this;
        }

        /** Envoy's {@code vm_id} ({@code plugin_vm_id}); default the filter's name. */
        public Builder vmId(String vmId) {
            this.vmId = Objects.requireNonNull(vmId, "vmId");
            return this;
        }

        /** What {@code proxy_on_configure} reads (the plugin configuration). */
        public Builder pluginConfig(String config) {
            return pluginConfig(config.getBytes(StandardCharsets.UTF_8));
        }

        public Builder pluginConfig(byte[] config) {
            this.pluginConfig = config.clone();
            return this;
        }

        /** What {@code proxy_on_vm_start} reads (the VM configuration). */
        public Builder vmConfig(String config) {
            return vmConfig(config.getBytes(StandardCharsets.UTF_8));
        }

        public Builder vmConfig(byte[] config) {
            this.vmConfig = config.clone();
            return this;
        }

        /**
         * The limits every VM and callback runs under: memory per VM, timeout and fuel per callback
         * (default: 32 MiB, 1 s, no fuel). Its grants are kept; the proxy-wasm host and WASI are added.
         */
        public Builder policy(PluginPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Each callback is stopped after this long (a TIMEOUT fault). */
        public Builder timeout(Duration timeout) {
            this.policy = policy.toBuilder().timeout(timeout).build();
            return this;
        }

        /** Each callback may use this much fuel (about one unit per wasm instruction; a FUEL fault). */
        public Builder fuel(long unitsPerCallback) {
            this.policy = policy.toBuilder().fuel(unitsPerCallback).build();
            return this;
        }

        /**
         * Fuel for a metered VM's start-up as a whole: the reactor's {@code _initialize} (run when
         * the VM is instantiated), {@code main} or {@code _start}, VM start and configure, which may
         * share it (what one leaves, the next may use); default 10^9. Language runtimes start far
         * more expensively than a request callback runs (Go 1.24's {@code _initialize} needs 1-3
         * million units), so start-up does not use the per-callback {@link #fuel}. 0 gives each
         * start-up call the per-callback fuel instead. Becomes the VM policy's
         * {@link PluginPolicy.Builder#initFuel initFuel}; a {@link #policy} with an initFuel of its own
         * keeps it unless this is called.
         */
        public Builder startFuel(long units) {
            if (units < 0) {
                throw new IllegalArgumentException("startFuel must be >= 0, got " + units);
            }
            this.startFuel = units;
            this.startFuelSet = true;
            return this;
        }

        /**
         * Wall-clock limit of a VM's start-up as a whole (the same steps as {@link #startFuel});
         * default 10 s, so a per-callback {@link #timeout} of a few milliseconds does not starve a
         * runtime's start-up on a cold JVM. Becomes the VM policy's
         * {@link PluginPolicy.Builder#initTimeout initTimeout}; a {@link #policy} with an initTimeout
         * of its own keeps it unless this is called.
         */
        public Builder startTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive, got " + timeout);
            }
            this.startTimeout = timeout;
            this.startTimeoutSet = true;
            return this;
        }

        /** Each VM's memory may grow to this many bytes. */
        public Builder maxMemory(long bytes) {
            this.policy = policy.toBuilder().maxMemory(bytes).build();
            return this;
        }

        /** The strategy for every kind of fault (default FAIL_CLOSED). */
        public Builder failStrategy(FailStrategy strategy) {
            Objects.requireNonNull(strategy, "strategy");
            for (FaultKind k : FaultKind.values()) {
                strategies.put(k, strategy);
            }
            return this;
        }

        /** The strategy for one kind of fault, e.g. fail open when OVERLOADED but closed on a TRAP. */
        public Builder failStrategy(FaultKind kind, FailStrategy strategy) {
            strategies.put(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(strategy, "strategy"));
            return this;
        }

        /** At most this many VMs, so at most this many concurrent streams (default max(4, 2 x cores)). */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** How long a stream waits for a free VM before the filter counts as OVERLOADED (default 5 s). */
        public Builder borrowTimeout(Duration timeout) {
            this.borrowTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long a stream the filter paused at its end may wait for a tick to resume it (default 5 s). */
        public Builder pauseTimeout(Duration timeout) {
            this.pauseTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * The time the filter sees ({@code proxy_get_current_time_nanoseconds} and WASI clocks);
         * default the host's clock, since filters check expiry times. {@code WasiClock.fixed} for tests.
         */
        public Builder clock(WasiClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The filter's WASI grant instead of the default (no files, no env, secure random, this clock, output to the log). */
        public Builder wasi(Wasi wasi) {
            this.wasi = Objects.requireNonNull(wasi, "wasi");
            return this;
        }

        /** Where the filter's log records go; default {@code System.getLogger("dev.corral.proxywasm.<name>")}. */
        public Builder logger(System.Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /** Largest serialized header map a filter may build (default 64 KiB); beyond, its call gets BAD_ARGUMENT. */
        public Builder maxHeaderBytes(int bytes) {
            this.maxHeaderBytes = positive(bytes, "maxHeaderBytes");
            return this;
        }

        /** Largest body a filter may make (default 8 MiB). */
        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = positive(bytes, "maxBodyBytes");
            return this;
        }

        /** Bodies are delivered to the body callbacks in chunks of this size (default 64 KiB). */
        public Builder bodyChunkBytes(int bytes) {
            this.bodyChunkBytes = positive(bytes, "bodyChunkBytes");
            return this;
        }

        /**
         * Restore each VM to its state right after start-up when a stream ends (core's pool
         * snapshot), so nothing a request leaves in a VM's memory can reach a later request. Costs
         * a reset proportional to the memory the stream dirtied; filters that keep state in VM
         * memory across requests (caches, counters outside shared data) lose it. Default off,
         * as in Envoy.
         */
        public Builder isolateStreams(boolean isolate) {
            this.isolateStreams = isolate;
            return this;
        }

        /** Called for every fault, after it was handled (on the request's thread, or the tick thread). */
        public Builder onFault(Consumer<FilterFault> listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        private static int positive(int v, String what) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0, got " + v);
            }
            return v;
        }

        /**
         * Checks the module is a proxy-wasm filter (ABI marker, allocator, callback types) and
         * starts one VM, so a filter that cannot start fails here, not on the first request.
         *
         * @throws dev.corral.ModuleLoadException if the module is not a usable proxy-wasm filter
         * @throws FilterStartException if its VM does not start or refuses its configuration
         */
        public ProxyWasmFilter build() {
            ModuleShape shape = ModuleShape.of(module);
            System.Logger log = logger != null ? logger : System.getLogger("dev.corral.proxywasm." + name);
            var host = new FilterHost(name, rootId, vmId != null ? vmId : name, shape.abi, vmConfig, pluginConfig, clock, log,
                    maxHeaderBytes, maxBodyBytes, new SharedStore(64L << 20, 10_000), new Metrics(1_000));
            Wasi grant = wasi != null ? wasi : Wasi.builder().clock(clock).random(WasiRandom.secure())
                    .stdout(toLog(host, Level.INFO)).stderr(toLog(host, Level.ERROR)).build();
            var binder = new VmBinder(host, shape.allocExport);
            var vmPolicy = policy.toBuilder().grant(grant).grant(binder);
            if (startTimeoutSet || policy.initTimeout().isEmpty()) {
                vmPolicy.initTimeout(startTimeout);
            }
            if (policy.fuel().isPresent() && startFuel > 0 && (startFuelSet || policy.initFuel().isEmpty())) {
                vmPolicy.initFuel(startFuel);
            }
            var pool = new VmPool(module, vmPolicy.build(), binder, shape, workers, borrowTimeout, isolateStreams);
            Map<FaultKind, FailStrategy> strategy = new EnumMap<>(FaultKind.class);
            for (FaultKind k : FaultKind.values()) {
                strategy.put(k, strategies.getOrDefault(k, FailStrategy.FAIL_CLOSED));
            }
            try {
                pool.warm();
            } catch (VmFault f) {
                pool.close();
                throw new FilterStartException(f.getMessage(), f.getCause());
            }
            var runtime = new FilterRuntime(host, pool, strategy, List.copyOf(listeners), bodyChunkBytes, pauseTimeout.toNanos());
            return new ProxyWasmFilter(name, shape.abi, host, runtime);
        }

        /** The filter's WASI stdout/stderr, one log record per line (Envoy logs them at INFO and ERROR). */
        private static WasiOutput toLog(FilterHost host, Level level) {
            return (plugin, stream) -> new WasiOutput.Sink() {
                private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                @Override
                public void write(byte[] data, int off, int len) {
                    for (int i = off; i < off + len; i++) {
                        if (data[i] == '\n' || line.size() >= 16 * 1024) {
                            flush();
                        }
                        if (data[i] != '\n') {
                            line.write(data[i]);
                        }
                    }
                }

                private void flush() {
                    host.log(level, line.toString(StandardCharsets.UTF_8));
                    line.reset();
                }

                @Override
                public void close() {
                    if (line.size() > 0) {
                        flush();
                    }
                }
            };
        }
    }
}
