package dev.corral.proxywasm.internal;

import dev.corral.MemoryDescriptor;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import dev.corral.PluginPolicy;
import dev.corral.proxywasm.FaultKind;
import java.util.HashMap;
import java.util.Map;

/**
 * One VM of a filter: a plugin instance, started ({@code _initialize}/{@code main} or
 * {@code _start}), with its root context created, {@code proxy_on_vm_start}ed and
 * {@code proxy_on_configure}d. Every callback goes through {@link #call}, which turns whatever
 * stopped it into a {@link VmFault}; after a fault the VM is {@link #faulted()} and only fit to be
 * closed. Confined to the thread that holds it.
 */
public final class Vm implements AutoCloseable {
    public final Plugin plugin;
    public final VmState state;
    public final ModuleShape shape;
    private final Map<String, PluginFunction> functions = new HashMap<>();
    private final int maxPages;
    private boolean faulted;
    /** When this VM's root context last ticked (or started): each VM keeps its own timer, as each Envoy worker's does. */
    private long lastTick = System.nanoTime();

    private Vm(Plugin plugin, VmState state, ModuleShape shape, int maxPages) {
        this.plugin = plugin;
        this.state = state;
        this.shape = shape;
        this.maxPages = maxPages;
    }

    /**
     * Starts a plugin the pool just made, from the pool's initializer: the calls run under the
     * policy's initialization budget (the filter's startFuel and startTimeout), not a callback's.
     */
    public static Vm start(Plugin plugin, VmState state, ModuleShape shape, PluginPolicy policy, String filter) {
        int max = policy.maxMemoryPages();
        for (MemoryDescriptor m : plugin.module().memories()) {
            if (m.index() == 0 && m.maxPages().isPresent()) {
                max = Math.min(max, m.maxPages().getAsInt());
            }
        }
        var vm = new Vm(plugin, state, shape, max);
        try {
            vm.startUp();
        } catch (VmFault f) {
            // the cause is Corral's exception (a trap, a timeout ...), or none when the filter said no
            throw new VmFault(FaultKind.START, f.callback, "filter '" + filter + "' failed to start: "
                    + f.getMessage(), f.getCause());
        }
        return vm;
    }

    private void startUp() {
        if (shape.hasInitialize) {
            // core already ran the reactor's _initialize when it instantiated the plugin; a second
            // call is fatal in real runtimes (Go: "randinit twice"; wasi-libc's reactor traps)
            if (shape.hasMain) {
                call("main", 0, 0);
            }
        } else if (shape.hasStart) {
            call("_start");
        }
        int root = VmState.ROOT_CONTEXT_ID;
        call("proxy_on_context_create", root, 0);
        if (shape.has("proxy_on_vm_start")) {
            state.enterConfiguration(Abi.VM_CONFIGURATION);
            if (call("proxy_on_vm_start", root, state.host.vmConfig.length) == 0) {
                throw new VmFault(FaultKind.START, "proxy_on_vm_start", "proxy_on_vm_start returned false (the filter"
                        + " refused its VM configuration)", null);
            }
        }
        if (shape.has("proxy_on_configure")) {
            state.enterConfiguration(Abi.PLUGIN_CONFIGURATION);
            if (call("proxy_on_configure", root, state.host.pluginConfig.length) == 0) {
                throw new VmFault(FaultKind.START, "proxy_on_configure", "proxy_on_configure returned false (the filter"
                        + " refused its plugin configuration)", null);
            }
        }
    }

    /**
     * Calls an export (the effective context is set to {@code args[0]} for callbacks taking a
     * context) and returns its i32 result, or 0 for one without.
     */
    public long call(String export, long... args) {
        if (faulted) {
            throw new IllegalStateException("VM of filter '" + state.host.name + "' faulted earlier");
        }
        PluginFunction f = functions.computeIfAbsent(export, plugin::function);
        if (args.length > 0 && export.startsWith("proxy_on_")) {
            state.enter((int) args[0]);
        }
        try {
            long[] r = f.callRaw(args);
            return r.length == 0 ? 0 : (int) r[0];
        } catch (RuntimeException e) {
            faulted = true;
            boolean atLimit;
            try {
                // a failed memory.grow is invisible from here; a trap with memory (almost) at its bound is blamed on it
                atLimit = plugin.memoryPages() >= maxPages - Math.max(1, maxPages / 16);
            } catch (RuntimeException ignored) {
                atLimit = false;
            }
            FaultKind kind = VmFault.classify(e, atLimit);
            throw new VmFault(kind, export, export + ": " + e.getMessage(), e);
        }
    }

    /** Whether this VM's tick is due at {@code now} under a period of {@code periodMillis} (0: no ticks). */
    public boolean tickDue(long periodMillis, long now) {
        return periodMillis > 0 && shape.has("proxy_on_tick") && now - lastTick >= periodMillis * 1_000_000;
    }

    /** Delivers {@code proxy_on_tick} to this VM's root context and restarts its timer. */
    public void tick() {
        lastTick = System.nanoTime();
        call("proxy_on_tick", VmState.ROOT_CONTEXT_ID);
    }

    public boolean faulted() {
        return faulted;
    }

    /**
     * Marks the VM unfit for another stream after a fault the host detected itself (a stream it
     * paused and never resumed): its context is left mid-stream, so the VM is discarded like one
     * whose callback failed.
     */
    void discard() {
        faulted = true;
    }

    /** Lets another thread use the VM next (plugins are sticky to the thread that called them last). */
    public void release() {
        plugin.release();
    }

    @Override
    public void close() {
        plugin.close();
    }
}
