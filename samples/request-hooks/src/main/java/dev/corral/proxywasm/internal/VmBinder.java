package dev.corral.proxywasm.internal;

import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.spi.Capability;
import dev.corral.spi.HostModuleDef;
import java.util.List;

/**
 * The capability that gives each VM of a filter its own host state: {@code bind} runs while a
 * plugin is being instantiated and makes the VM's {@link VmState} and the {@code env} and
 * {@code wasi_unstable} modules bound to it. The code driving the VM finds that state again with
 * {@link #stateOf} ({@code Plugin.binding}, the plugin's own binding of this capability).
 */
public final class VmBinder implements Capability {
    final FilterHost host;
    private final String allocExport;

    public VmBinder(FilterHost host, String allocExport) {
        this.host = host;
        this.allocExport = allocExport;
    }

    @Override
    public Binding bind(PluginModule module) {
        var state = new VmState(host, allocExport);
        return new VmBinding(state, List.of(HostFunctions.env(state), WasiUnstable.module(host)));
    }

    /** The VM state of {@code plugin}, an instance linked with this capability. */
    VmState stateOf(Plugin plugin) {
        return plugin.binding(VmBinding.class).orElseThrow(() -> new IllegalStateException("filter '" + host.name
                + "': the plugin was instantiated without its proxy-wasm host")).state;
    }

    /** One VM's share: its state and the host modules bound to it. */
    static final class VmBinding implements Binding {
        final VmState state;
        private final List<HostModuleDef> modules;

        VmBinding(VmState state, List<HostModuleDef> modules) {
            this.state = state;
            this.modules = modules;
        }

        @Override
        public List<HostModuleDef> hostModules() {
            return modules;
        }

        @Override
        public Snapshot snapshot() {
            return state::reset; // between streams nothing is open; a restored VM starts from its root context
        }
    }

}
