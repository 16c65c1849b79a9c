package dev.corral;

import dev.corral.spi.Capability;
import dev.corral.spi.HostModuleDef;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one plugin instance may do and use: its limits and the host modules it is granted. Deny
 * by default: an empty policy grants nothing (no host functions, no files, no environment, output
 * discarded) and bounds memory to {@link #DEFAULT_MAX_MEMORY_PAGES} pages.
 *
 * <p>Immutable and thread-safe; share one policy among many instances.
 */
public final class PluginPolicy {
    /** 16 MiB: a sane default bound for a plugin that did not ask for more. */
    public static final int DEFAULT_MAX_MEMORY_PAGES = 256;
    /** Table elements per plugin: plenty for function tables of real programs, small enough to be cheap (~12 bytes each). */
    public static final int DEFAULT_MAX_TABLE_ELEMENTS = 10_000;
    /**
     * How deep a metered plugin may nest calls: deep enough for real recursion, shallow enough
     * that a default (1 MiB) thread stack holds it in both execution modes with room for the
     * host's own frames (the interpreter's frames are the larger: ~930 fit a default stack).
     */
    public static final int DEFAULT_MAX_CALL_DEPTH = 500;
    /** 16 MiB: the most a host function may read from guest memory at once. */
    public static final int DEFAULT_MAX_GUEST_TRANSFER = 16 << 20;

    private static final PluginPolicy DEFAULTS = builder().build();

    private final int maxMemoryPages;
    private final int maxTableElements;
    private final int maxGuestTransfer;
    private final Duration timeout;
    private final List<HostModuleDef> hostModules;
    private final List<Capability> capabilities;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final List<String> arguments;
    private final long fuel; // -1 = unmetered
    private final long hostCallFuel;
    private final int maxCallDepth;
    private final Duration initTimeout;
    private final long initFuel; // -1 = as a call

    private PluginPolicy(Builder b) {
        this.maxMemoryPages = b.maxMemoryPages;
        this.maxTableElements = b.maxTableElements;
        this.maxGuestTransfer = b.maxGuestTransfer;
        this.timeout = b.timeout;
        this.hostModules = List.copyOf(b.hostModules);
        this.capabilities = List.copyOf(b.capabilities);
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.arguments = List.copyOf(b.arguments);
        this.fuel = b.fuel;
        this.hostCallFuel = b.hostCallFuel;
        this.maxCallDepth = b.maxCallDepth;
        this.initTimeout = b.initTimeout;
        this.initFuel = b.initFuel;
    }

    public static PluginPolicy defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        var b = new Builder();
        b.maxMemoryPages = maxMemoryPages;
        b.maxTableElements = maxTableElements;
        b.maxGuestTransfer = maxGuestTransfer;
        b.timeout = timeout;
        b.hostModules.addAll(hostModules);
        b.capabilities.addAll(capabilities);
        b.stdout = stdout;
        b.stderr = stderr;
        b.arguments.addAll(arguments);
        b.fuel = fuel;
        b.hostCallFuel = hostCallFuel;
        b.maxCallDepth = maxCallDepth;
        b.initTimeout = initTimeout;
        b.initFuel = initFuel;
        return b;
    }

    /**
     * Upper bound for the plugin's memory, in pages: for a module with several memories
     * (multi-memory), for all of them together. Never raises a module's own declared maximum.
     */
    public int maxMemoryPages() {
        return maxMemoryPages;
    }

    /**
     * Upper bound for the elements of all the plugin's tables together; never raises a table's
     * own declared maximum.
     */
    public int maxTableElements() {
        return maxTableElements;
    }

    /**
     * The most bytes one {@link dev.corral.spi.GuestMemory} read (bytes or string) may copy out of
     * the guest. A zero-copy {@code readOnlyView} copies nothing and is not bounded by it.
     */
    public int maxGuestTransfer() {
        return maxGuestTransfer;
    }

    /** Wall-clock limit per call, if any. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /**
     * Wall-clock limit of initialization as a whole, if set; see {@link Builder#initTimeout}.
     * Empty: each call of initialization gets the per-call {@link #timeout()}.
     */
    public Optional<Duration> initTimeout() {
        return Optional.ofNullable(initTimeout);
    }

    /**
     * Fuel for initialization as a whole, if set; see {@link Builder#initFuel}. Empty: each call of
     * initialization gets the per-call {@link #fuel()}.
     */
    public OptionalLong initFuel() {
        return initFuel < 0 ? OptionalLong.empty() : OptionalLong.of(initFuel);
    }

    public List<HostModuleDef> hostModules() {
        return hostModules;
    }

    /** Capabilities granted to the plugin, bound once per instance (e.g. corral-capabilities' WASI). */
    public List<Capability> capabilities() {
        return capabilities;
    }

    /**
     * Where the guest's WASI stdout goes when no capability provides WASI; empty = discarded.
     *
     * @deprecated grant stdout through a capability (corral-capabilities' {@code Wasi}); kept so
     *     existing callers keep working while they migrate.
     */
    @Deprecated
    public Optional<OutputStream> stdout() {
        return Optional.ofNullable(stdout);
    }

    /**
     * Where the guest's WASI stderr goes when no capability provides WASI; empty = discarded.
     *
     * @deprecated grant stderr through a capability (corral-capabilities' {@code Wasi}).
     */
    @Deprecated
    public Optional<OutputStream> stderr() {
        return Optional.ofNullable(stderr);
    }

    /**
     * WASI arguments after argv[0] (which is always the plugin's name), used when no capability
     * provides WASI.
     *
     * @deprecated grant arguments through a capability (corral-capabilities' {@code Wasi}).
     */
    @Deprecated
    public List<String> arguments() {
        return arguments;
    }

    /** Fuel budget of each call, if calls are metered; see {@link Builder#fuel(long)}. */
    public OptionalLong fuel() {
        return fuel < 0 ? OptionalLong.empty() : OptionalLong.of(fuel);
    }

    /** Fuel charged for each call of a host function (on top of the call instruction); 0 by default. */
    public long hostCallFuel() {
        return hostCallFuel;
    }

    /** How deep a metered plugin's call may nest wasm calls; see {@link Builder#maxCallDepth(int)}. */
    public int maxCallDepth() {
        return maxCallDepth;
    }

    public static final class Builder {
        private int maxMemoryPages = DEFAULT_MAX_MEMORY_PAGES;
        private int maxTableElements = DEFAULT_MAX_TABLE_ELEMENTS;
        private int maxGuestTransfer = DEFAULT_MAX_GUEST_TRANSFER;
        private Duration timeout;
        private final List<HostModuleDef> hostModules = new ArrayList<>();
        private final List<Capability> capabilities = new ArrayList<>();
        private OutputStream stdout;
        private OutputStream stderr;
        private final List<String> arguments = new ArrayList<>();
        private long fuel = -1;
        private long hostCallFuel;
        private int maxCallDepth = DEFAULT_MAX_CALL_DEPTH;
        private Duration initTimeout;
        private long initFuel = -1;

        private Builder() {}

        /**
         * The plugin's memory may grow to at most this many bytes (rounded down to whole 64 KiB
         * pages); with several memories, all of them together. A module whose memories start
         * larger fails to instantiate ({@code Reason.LIMITS}).
         */
        public Builder maxMemory(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxMemory must be >= 0, got " + bytes);
            }
            return maxMemoryPages((int) Math.min(bytes / MemoryDescriptor.PAGE_SIZE, 65536));
        }

        public Builder maxMemoryPages(int pages) {
            if (pages < 0 || pages > 65536) {
                throw new IllegalArgumentException("maxMemoryPages must be in 0..65536, got " + pages);
            }
            this.maxMemoryPages = pages;
            return this;
        }

        /**
         * The plugin's tables may hold at most this many elements, all tables together
         * ({@code table.grow} returns -1 beyond); a module whose tables start larger fails to
         * instantiate ({@code Reason.LIMITS}).
         */
        public Builder maxTableElements(int elements) {
            if (elements < 0) {
                throw new IllegalArgumentException("maxTableElements must be >= 0, got " + elements);
            }
            this.maxTableElements = elements;
            return this;
        }

        /**
         * The most bytes a host function may copy out of guest memory in one read (bytes or string);
         * a larger read is a {@link GuestMemoryException}, so a guest cannot make the host allocate
         * more than this per read whatever length it passes.
         */
        public Builder maxGuestTransfer(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxGuestTransfer must be >= 0, got " + bytes);
            }
            this.maxGuestTransfer = bytes;
            return this;
        }

        /** Every call is stopped after this much wall-clock time, whatever the guest is doing. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public Builder noTimeout() {
            this.timeout = null;
            return this;
        }

        /**
         * Bounds initialization, as a whole, by this much wall-clock time instead of the per-call
         * {@link #timeout}: the start function, a WASI reactor's {@code _initialize}, and the
         * initializer that runs right after them ({@link PluginModule#instantiate(PluginPolicy,
         * java.util.function.Consumer)}, {@link PluginPool.Builder#initializer}), e.g. an
         * interpreter's start-up and a script's top-level code. So a tight per-call timeout does
         * not starve start-up, and a start-up that never ends is stopped all the same: with
         * {@link CallTimeoutException} whose {@link CallTimeoutException#source() source} is
         * {@link LimitSource#INITIALIZATION}. Host code running between the initializer's calls
         * counts toward it (a call starting after it passed fails at once), but is not interrupted.
         * Unset, every call of initialization gets the per-call timeout, if any.
         */
        public Builder initTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("initTimeout must be positive, got " + timeout);
            }
            this.initTimeout = timeout;
            return this;
        }

        /**
         * Fuel for initialization as a whole (the same steps as {@link #initTimeout}), instead of
         * the per-call {@link #fuel}: what one step leaves, the next may use; running out is
         * {@link FuelExhaustedException} with {@link LimitSource#INITIALIZATION}. Needs
         * {@link #fuel}: metering is chosen per instance, and an unmetered plugin runs
         * uninstrumented code that cannot count. Unset, every call of initialization gets the
         * per-call fuel.
         */
        public Builder initFuel(long units) {
            if (units <= 0) {
                throw new IllegalArgumentException("initFuel must be > 0, got " + units);
            }
            this.initFuel = units;
            return this;
        }

        /** Grants a host module. Two modules may not define the same function. */
        public Builder hostModule(HostModuleDef module) {
            hostModules.add(Objects.requireNonNull(module, "module"));
            return this;
        }

        /**
         * Grants a capability: its host modules, bound afresh for every instance, take part in
         * linking like {@link #hostModule granted host modules}. Without any grant that provides
         * {@code wasi_snapshot_preview1}, WASI imports link to a deny-by-default stub.
         */
        public Builder grant(Capability capability) {
            capabilities.add(Objects.requireNonNull(capability, "capability"));
            return this;
        }

        /** @deprecated grant stdout through a capability (corral-capabilities' {@code Wasi}). */
        @Deprecated
        public Builder stdout(OutputStream out) {
            this.stdout = out;
            return this;
        }

        /** @deprecated grant stderr through a capability (corral-capabilities' {@code Wasi}). */
        @Deprecated
        public Builder stderr(OutputStream err) {
            this.stderr = err;
            return this;
        }

        /** @deprecated grant arguments through a capability (corral-capabilities' {@code Wasi}). */
        @Deprecated
        public Builder arguments(List<String> args) {
            arguments.clear();
            arguments.addAll(args);
            return this;
        }

        /**
         * Meters every call: each outermost call (and the module's start function at
         * instantiation) starts with {@code unitsPerCall} units of fuel; unused fuel does not carry
         * over to the next call, and {@link Plugin#addFuel} tops up the running or the next call.
         * When a call needs more than it has, it stops with {@link FuelExhaustedException}. Fuel is
         * deterministic: the same module and input use the same fuel, compiled or interpreted.
         *
         * <p>Cost model: 1 unit per wasm instruction executed (each straight-line block is paid
         * in full when entered); {@code memory.grow} adds 1024 units per page requested;
         * {@code memory.fill/copy/init} add 1 unit per 64 bytes; table and GC array bulk operations
         * add 1 unit per element; each host function call adds {@link #hostCallFuel(long)}.
         *
         * <p>Without fuel, a module runs uninstrumented at no cost. With fuel, the module is
         * instrumented and compiled once more the first time (shared by all metered instances).
         */
        public Builder fuel(long unitsPerCall) {
            if (unitsPerCall <= 0) {
                throw new IllegalArgumentException("fuel must be > 0, got " + unitsPerCall);
            }
            this.fuel = unitsPerCall;
            return this;
        }

        /** Calls are not metered (the default). */
        public Builder noFuel() {
            this.fuel = -1;
            return this;
        }

        /** Fuel each host function call costs, on top of its call instruction (default 0). Needs {@link #fuel(long)}. */
        public Builder hostCallFuel(long units) {
            if (units < 0) {
                throw new IllegalArgumentException("hostCallFuel must be >= 0, got " + units);
            }
            this.hostCallFuel = units;
            return this;
        }

        /**
         * How deep one call of a metered plugin may nest wasm calls (default
         * {@value #DEFAULT_MAX_CALL_DEPTH}); deeper ends the call with
         * {@link StackExhaustedException}. A frame counts one, plus one for every 32 slots of its
         * function's parameters and locals (i64 and f64 take two: a function with 640 i64 locals
         * counts 41), so the limit also bounds the stack (and, interpreted, the heap) that big
         * frames take. Counted by the
         * fuel instrumentation, so a metered plugin stops at the same frame, with the same fuel
         * used, compiled or interpreted. A tail call to another function counts as a frame; a
         * function's tail call to itself does not (it runs as a loop).
         *
         * <p>Unmetered plugins run uninstrumented: their depth is bounded by the calling thread's
         * stack (also {@link StackExhaustedException}, at a depth that differs between the
         * modes). For the limit to be what stops a runaway recursion, the calling thread's stack
         * must hold it: the default fits a default 1 MiB stack in both modes; set it lower for
         * small stacks, and run deeper limits on threads made with a larger stack size.
         */
        public Builder maxCallDepth(int frames) {
            if (frames < 1) {
                throw new IllegalArgumentException("maxCallDepth must be >= 1, got " + frames);
            }
            this.maxCallDepth = frames;
            return this;
        }

        /**
         * @throws IllegalStateException if {@link #initFuel} is set without {@link #fuel}
         */
        public PluginPolicy build() {
            if (initFuel >= 0 && fuel < 0) {
                throw new IllegalStateException("initFuel(" + initFuel + ") needs fuel(...): only a metered plugin "
                        + "counts fuel, and metering is chosen per policy; set fuel(n) too, or drop initFuel");
            }
            return new PluginPolicy(this);
        }
    }
}
