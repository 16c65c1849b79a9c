package dev.corral;

import dev.corral.spi.Capability;
import dev.corral.spi.HostModule;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

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

    private static final PluginPolicy DEFAULTS = builder().build();

    private final int maxMemoryPages;
    private final Duration timeout;
    private final List<HostModule> hostModules;
    private final List<Capability> capabilities;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final List<String> arguments;

    private PluginPolicy(Builder b) {
        this.maxMemoryPages = b.maxMemoryPages;
        this.timeout = b.timeout;
        this.hostModules = List.copyOf(b.hostModules);
        this.capabilities = List.copyOf(b.capabilities);
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.arguments = List.copyOf(b.arguments);
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
        b.timeout = timeout;
        b.hostModules.addAll(hostModules);
        b.capabilities.addAll(capabilities);
        b.stdout = stdout;
        b.stderr = stderr;
        b.arguments.addAll(arguments);
        return b;
    }

    /** Upper bound for memory 0, in pages; never raises the module's own declared maximum. */
    public int maxMemoryPages() {
        return maxMemoryPages;
    }

    /** Wall-clock limit per call, if any. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    public List<HostModule> hostModules() {
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

    public static final class Builder {
        private int maxMemoryPages = DEFAULT_MAX_MEMORY_PAGES;
        private Duration timeout;
        private final List<HostModule> hostModules = new ArrayList<>();
        private final List<Capability> capabilities = new ArrayList<>();
        private OutputStream stdout;
        private OutputStream stderr;
        private final List<String> arguments = new ArrayList<>();

        private Builder() {}

        /** Memory 0 may grow to at most this many bytes (rounded down to whole 64 KiB pages). */
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

        /** Grants a host module. Two modules may not define the same function. */
        public Builder hostModule(HostModule module) {
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

        public PluginPolicy build() {
            return new PluginPolicy(this);
        }
    }

    OptionalInt maxPagesOrEmpty() {
        return OptionalInt.of(maxMemoryPages);
    }
}
