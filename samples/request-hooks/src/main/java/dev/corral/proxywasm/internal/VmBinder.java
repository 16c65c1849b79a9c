package dev.corral.proxywasm.internal;

import dev.corral.PluginModule;
import dev.corral.spi.Capability;
import dev.corral.spi.HostModuleDef;
import java.util.List;

/**
 * The capability that gives each VM of a filter its own host state: {@code bind} runs while a
 * plugin is being instantiated, makes the VM's {@link VmState} and the {@code env} and
 * {@code wasi_unstable} modules bound to it, and leaves the state for the instantiating thread to
 * {@link #take} right after. (A capability is the one hook that runs per instance; the hand-over
 * stays on one thread.)
 */
public final class VmBinder implements Capability {
    final FilterHost host;
    private final String allocExport;
    private final ThreadLocal<VmState> handOver = new ThreadLocal<>();

    public VmBinder(FilterHost host, String allocExport) {
        this.host = host;
        this.allocExport = allocExport;
    }

    @Override
    public Binding bind(PluginModule module) {
        var state = new VmState(host, allocExport);
        handOver.set(state);
        List<HostModuleDef> modules = List.of(HostFunctions.env(state), WasiUnstable.module(host));
        return new Binding() {
            @Override
            public List<HostModuleDef> hostModules() {
                return modules;
            }

            @Override
            public Snapshot snapshot() {
                return state::reset; // between streams nothing is open; a restored VM starts from its root context
            }
        };
    }

    VmState take() {
        VmState s = handOver.get();
        handOver.remove();
        if (s == null) {
            throw new IllegalStateException("filter '" + host.name + "': the plugin was instantiated without its proxy-wasm host");
        }
        return s;
    }

}
