package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.corral.ImportDescriptor;
import dev.corral.ModuleLoadException;
import dev.corral.PluginPolicy;
import dev.corral.UnlinkableModuleException;
import dev.corral.internal.wasi.DenyingWasi;
import dev.corral.internal.wasi.WasiSignatures;
import dev.corral.spi.Capability;
import dev.corral.spi.HostModuleDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a module's imports against what a policy grants, bounds its memory, and builds the
 * instance. Every unresolved import is collected, so one error lists them all.
 */
final class Linker {
    static final String WASI = WasiSignatures.MODULE;

    private Linker() {}

    static ChicoryPlugin instantiate(ChicoryModule cm, PluginPolicy policy) {
        List<Capability.Binding> bindings = new ArrayList<>();
        try {
            List<HostModuleDef> modules = new ArrayList<>(policy.hostModules());
            for (Capability c : policy.capabilities()) {
                var b = c.bind(cm);
                bindings.add(b);
                modules.addAll(b.hostModules());
            }
            return instantiate(cm, policy, modules, bindings);
        } catch (RuntimeException | Error e) {
            for (var b : bindings) {
                b.close();
            }
            throw e;
        }
    }

    @SuppressWarnings("deprecation") // the legacy stdout/stderr/arguments settings feed the WASI stub
    private static ChicoryPlugin instantiate(ChicoryModule cm, PluginPolicy policy, List<HostModuleDef> modules,
            List<Capability.Binding> bindings) {
        var variant = cm.variant(policy);
        var module = variant.module();
        var plugin = new ChicoryPlugin(cm, policy, variant);

        Map<String, dev.corral.spi.HostFunctionDef> granted = new HashMap<>();
        Map<String, HostModuleDef> grantedBy = new HashMap<>();
        for (HostModuleDef hm : modules) {
            for (var f : hm.functions()) {
                var key = f.module() + "\0" + f.name();
                if (granted.putIfAbsent(key, f) != null) {
                    throw new IllegalArgumentException("two granted host modules define " + f.module() + "." + f.name());
                }
                grantedBy.put(key, hm);
            }
        }
        Set<HostModuleDef> used = Collections.newSetFromMap(new IdentityHashMap<>());

        List<HostFunction> provided = new ArrayList<>();
        List<ImportDescriptor> missing = new ArrayList<>();
        var imports = module.importSection();
        for (int i = 0; i < imports.importCount(); i++) {
            Import im = imports.getImport(i);
            if (!(im instanceof FunctionImport)) {
                missing.add(ChicoryModule.describeImport(module, im));
                continue;
            }
            FunctionType expected = module.typeSection().getType(((FunctionImport) im).typeIndex());
            var host = granted.get(im.module() + "\0" + im.name());
            if (host == null && WASI.equals(im.module())) {
                // deny by default: no grant provides WASI, so the import links to a stub that reaches nothing
                host = DenyingWasi.function(im.name(), cm.name(), policy.arguments(),
                        policy.stdout().orElse(null), policy.stderr().orElse(null));
            }
            if (host != null) {
                FunctionType actual = Types.toChicory(host.signature());
                if (!actual.typesMatch(expected)) {
                    missing.add(withNote(ChicoryModule.describeImport(module, im), "host provides " + host.signature()));
                    continue;
                }
                provided.add(HostCalls.adapt(plugin, host, expected));
                var owner = grantedBy.get(im.module() + "\0" + im.name());
                if (owner != null) { // null: the deny-by-default WASI stub
                    used.add(owner);
                }
                continue;
            }
            missing.add(ChicoryModule.describeImport(module, im));
        }
        if (!missing.isEmpty()) {
            throw new UnlinkableModuleException(cm.name(), missing, "grant host modules through PluginPolicy.Builder.hostModule");
        }
        // e.g. generated bindings refuse a plugin built for another guest ABI version
        for (HostModuleDef hm : used) {
            hm.checkPlugin(cm);
        }

        var builder = Instance.builder(module)
                .withImportValues(ImportValues.builder().withFunctions(new ArrayList<>(provided)).build())
                .withMachineFactory(variant.machineFactory())
                .withMemoryFactory(FlatMemory::create)
                .withInitialize(false)
                .withStart(false);
        if (variant.metered()) {
            builder.withGlobalFactory(plugin::createGlobal);
        }
        checkTables(cm, module, policy);
        int maxTable = policy.maxTableElements();
        builder.withTableFactory((table, init) -> new BoundedTable(table, maxTable, init));
        var limits = memoryLimits(cm, policy);
        if (limits != null) {
            builder.withMemoryLimits(limits);
        }
        Instance instance;
        try {
            instance = builder.build();
        } catch (RuntimeException e) {
            var reason = e instanceof com.dylibso.chicory.wasm.UnlinkableException
                    ? ModuleLoadException.Reason.UNLINKABLE : ModuleLoadException.Reason.INVALID;
            throw new ModuleLoadException(reason, "module '" + cm.name() + "' cannot be instantiated: " + e.getMessage(), e);
        }
        plugin.attach(instance, bindings);
        // data segments, globals and the start function run under the policy's guards (timeout, error mapping);
        // a failure there closes the plugin, and with it the bindings
        plugin.initialize();
        return plugin;
    }

    private static ImportDescriptor withNote(ImportDescriptor d, String note) {
        return new ImportDescriptor(d.module(), d.name(), d.kind(), d.type() + "; " + note);
    }

    /** Tables that start larger than the policy allows fail here, before anything is allocated. */
    private static void checkTables(ChicoryModule cm, com.dylibso.chicory.wasm.WasmModule module, PluginPolicy policy) {
        var tables = module.tableSection();
        for (int i = 0; i < tables.tableCount(); i++) {
            long min = tables.getTable(i).limits().min();
            if (min > policy.maxTableElements()) {
                throw new ModuleLoadException(ModuleLoadException.Reason.LIMITS, "module '" + cm.name() + "' needs "
                        + min + " elements in table " + i + " at start, but its policy allows at most "
                        + policy.maxTableElements() + ": raise PluginPolicy.maxTableElements");
            }
        }
    }

    /**
     * Memory 0's limits: the module's initial size, and the smaller of the policy's bound and the
     * module's own maximum. Chicory's override replaces the module's limits in both directions, so
     * the clamp is ours.
     */
    static MemoryLimits memoryLimits(ChicoryModule cm, PluginPolicy policy) {
        var mems = cm.memories();
        if (mems.isEmpty()) {
            return null;
        }
        var m = mems.get(0);
        int max = Math.min(policy.maxMemoryPages(), com.dylibso.chicory.runtime.Memory.RUNTIME_MAX_PAGES);
        if (m.maxPages().isPresent()) {
            max = Math.min(max, m.maxPages().getAsInt());
        }
        if (m.minPages() > max) {
            throw new ModuleLoadException(ModuleLoadException.Reason.LIMITS, "module '" + cm.name() + "' needs "
                    + m.minPages() + " pages (" + m.minPages() * 64L + " KiB) of memory at start, but its policy allows at most "
                    + max + " pages (" + max * 64L + " KiB): raise PluginPolicy.maxMemory");
        }
        return new MemoryLimits(m.minPages(), max);
    }
}
