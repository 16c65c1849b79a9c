package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.corral.ModuleLoadException;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.internal.ManagedPlugin;
import dev.corral.internal.PreparedModule;
import dev.corral.spi.Capability;
import dev.corral.spi.HostFunctionDef;
import java.util.ArrayList;
import java.util.List;

/**
 * A module linked against one policy ({@link Linker#prepare}), like Wasmtime's InstancePre: each
 * {@link #instantiate} binds the capabilities afresh, binds every host function to the new plugin
 * and builds the instance, without resolving a name or checking a signature again.
 */
final class Prelinked implements PreparedModule {
    /**
     * Where import i comes from: a function the policy grants ({@code capability < 0}), or the
     * function at [{@code module}][{@code function}] of capability {@code capability}'s binding.
     * {@code probe} is that function as linking saw it.
     */
    record Source(HostFunctionDef probe, int capability, int module, int function) {
        HostFunctionDef resolve(List<Capability.Binding> bindings) {
            if (capability < 0) {
                return probe;
            }
            var modules = bindings.get(capability).hostModules();
            if (module < modules.size()) {
                var fns = modules.get(module).functions();
                if (function < fns.size()) {
                    var f = fns.get(function);
                    if (f.module().equals(probe.module()) && f.name().equals(probe.name())) {
                        return check(f);
                    }
                }
            }
            // the binding lists its functions in another order than the probe did: search
            for (var hm : modules) {
                for (var f : hm.functions()) {
                    if (f.module().equals(probe.module()) && f.name().equals(probe.name())) {
                        return check(f);
                    }
                }
            }
            throw new IllegalStateException("capability " + capability + " provided " + probe.module() + "." + probe.name()
                    + " when the module was linked, but not to this instance: a capability must provide the same functions on every bind");
        }

        private HostFunctionDef check(HostFunctionDef f) {
            if (!f.signature().equals(probe.signature())) {
                throw new IllegalStateException("capability " + capability + " provided " + f.module() + "." + f.name()
                        + " with signature " + probe.signature() + " when the module was linked, but " + f.signature() + " now");
            }
            return f;
        }
    }

    private final ChicoryModule cm;
    private final PluginPolicy policy;
    private final ModuleVariant variant;
    private final Source[] sources;
    private final FunctionType[] types;
    private final MemoryLimits memoryLimits;

    Prelinked(ChicoryModule cm, PluginPolicy policy, ModuleVariant variant, List<Source> sources, List<FunctionType> types,
            MemoryLimits memoryLimits) {
        this.cm = cm;
        this.policy = policy;
        this.variant = variant;
        this.sources = sources.toArray(new Source[0]);
        this.types = types.toArray(new FunctionType[0]);
        this.memoryLimits = memoryLimits;
    }

    @Override
    public PluginModule module() {
        return cm;
    }

    @Override
    public PluginPolicy policy() {
        return policy;
    }

    @Override
    public ManagedPlugin instantiate(java.util.function.Consumer<? super dev.corral.Plugin> initializer) {
        // a closed engine starts nothing (a start function could loop with nothing to stop it)
        cm.engine().checkOpen("instantiate a plugin");
        var capabilities = policy.capabilities();
        List<Capability.Binding> bindings = new ArrayList<>(capabilities.size());
        try {
            for (Capability c : capabilities) {
                bindings.add(c.bind(cm));
            }
            var plugin = build(bindings, initializer);
            cm.usage().register(plugin);
            return plugin;
        } catch (RuntimeException | Error e) {
            for (var b : bindings) {
                b.close();
            }
            throw e;
        }
    }

    private ChicoryPlugin build(List<Capability.Binding> bindings, java.util.function.Consumer<? super dev.corral.Plugin> initializer) {
        // the variant linking saw, or, with tiered compilation, the compiled one that replaced it
        // (same imports, same types: only the code differs)
        ModuleVariant variant = cm.variant(policy);
        var plugin = new ChicoryPlugin(cm, policy, variant);
        var provided = new HostFunction[sources.length];
        for (int i = 0; i < sources.length; i++) {
            provided[i] = HostCalls.adapt(plugin, sources[i].resolve(bindings), types[i]);
        }
        var builder = Instance.builder(variant.module())
                .withImportValues(ImportValues.builder().addFunction(provided).build())
                .withMachineFactory(variant.machineFactory())
                .withMemoryFactory(new MemoryBudget(cm.name(),
                        Math.min(policy.maxMemoryPages(), com.dylibso.chicory.runtime.Memory.RUNTIME_MAX_PAGES))::create)
                .withInitialize(false)
                .withStart(false)
                .withUnsafeExecutionListener(InterpreterGuards.INSTANCE);
        if (variant.metered()) {
            builder.withGlobalFactory(plugin::createGlobal);
        }
        builder.withTableFactory(new BoundedTable.Budget(policy.maxTableElements())::create);
        if (memoryLimits != null) {
            builder.withMemoryLimits(memoryLimits);
        }
        Instance instance;
        try {
            instance = builder.build();
        } catch (ModuleLoadException e) {
            throw e; // a limit, from the memory factory
        } catch (RuntimeException e) {
            var reason = e instanceof com.dylibso.chicory.wasm.UnlinkableException
                    ? ModuleLoadException.Reason.UNLINKABLE : ModuleLoadException.Reason.INVALID;
            throw new ModuleLoadException(reason, "module '" + cm.name() + "' cannot be instantiated: " + e.getMessage(), e);
        }
        plugin.attach(instance, bindings);
        // data segments, globals, the start function and the initializer run under the policy's guards
        // (its initialization limits, error mapping); a failure there closes the plugin, and with it the bindings
        plugin.initialize(initializer);
        return plugin;
    }
}
