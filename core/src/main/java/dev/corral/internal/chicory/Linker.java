package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.corral.ImportDescriptor;
import dev.corral.MemoryDescriptor;
import dev.corral.PluginModule;
import dev.corral.ModuleLoadException;
import dev.corral.PluginPolicy;
import dev.corral.UnlinkableModuleException;
import dev.corral.internal.wasi.DenyingWasi;
import dev.corral.internal.wasi.WasiSignatures;
import dev.corral.spi.Capability;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves a module's imports against what a policy grants, once per (module, policy): the result,
 * {@link Prelinked}, instantiates without looking anything up again. Every unresolved import is
 * collected, so one error lists them all.
 *
 * <p>Capabilities are bound per instance (each instance gets its own state), so the functions they
 * provide are only known from a binding: linking binds each capability once to learn them (the
 * probe is closed at once) and records where each import is found; each instance then takes its
 * function from the same place in its own binding.
 */
final class Linker {
    static final String WASI = WasiSignatures.MODULE;

    private Linker() {}

    static Prelinked prepare(ChicoryModule cm, PluginPolicy policy) {
        var variant = cm.variant(policy);
        var r = resolve(cm, variant.module(), policy, false);
        if (!r.missing().isEmpty()) {
            throw new UnlinkableModuleException(cm.name(), r.missing(), GrantHints.forMissing(r.missing()));
        }
        // e.g. generated bindings refuse a plugin built for another guest ABI version
        for (HostModuleDef hm : r.used()) {
            hm.checkPlugin(cm);
        }
        checkTables(cm.name(), variant.module(), policy);
        return new Prelinked(cm, policy, variant, r.sources(), r.types(), memoryLimits(cm.name(), cm.memories(), policy));
    }

    /**
     * Everything {@link #prepare} checks, from the parse alone (nothing compiled): the same
     * exception instantiating would throw. {@code view} stands for the module where capabilities
     * and host modules expect one (they read its name, imports and exports).
     */
    static void check(PluginModule view, WasmModule module, PluginPolicy policy) {
        var r = resolve(view, module, policy, false);
        if (!r.missing().isEmpty()) {
            throw new UnlinkableModuleException(view.name(), r.missing(), GrantHints.forMissing(r.missing()));
        }
        for (HostModuleDef hm : r.used()) {
            hm.checkPlugin(view);
        }
        checkTables(view.name(), module, policy);
        memoryLimits(view.name(), view.memories(), policy);
    }

    /**
     * Every import that linking against {@code policy} would refuse, from the parse alone: those
     * no grant provides (or provides with another type), and those a capability refuses when it
     * binds (strict WASI). Empty when the module links.
     */
    static List<ImportDescriptor> unlinkable(PluginModule view, WasmModule module, PluginPolicy policy) {
        return resolve(view, module, policy, true).missing();
    }

    /** What resolving a module's imports against a policy found. */
    private record Resolution(List<Prelinked.Source> sources, List<FunctionType> types, List<ImportDescriptor> missing,
            Set<HostModuleDef> used) {}

    /**
     * @param collectRefusals when a capability refuses the module at bind time with an
     *     {@link UnlinkableModuleException}, list its imports with the others instead of throwing
     */
    @SuppressWarnings("deprecation") // the legacy stdout/stderr/arguments settings feed the WASI stub
    private static Resolution resolve(PluginModule pm, WasmModule module, PluginPolicy policy, boolean collectRefusals) {
        // what the policy grants: its host modules, then each capability's (learned from a probe binding)
        Map<String, Prelinked.Source> granted = new HashMap<>();
        Map<String, HostModuleDef> grantedBy = new HashMap<>();
        for (HostModuleDef hm : policy.hostModules()) {
            for (var f : hm.functions()) {
                define(granted, grantedBy, hm, f, new Prelinked.Source(f, -1, -1, -1));
            }
        }
        List<ImportDescriptor> missing = new ArrayList<>();
        var capabilities = policy.capabilities();
        for (int c = 0; c < capabilities.size(); c++) {
            Capability.Binding probe;
            try {
                probe = capabilities.get(c).bind(pm);
            } catch (UnlinkableModuleException e) {
                if (!collectRefusals) {
                    throw e;
                }
                for (var d : e.missingImports()) {
                    if (!missing.contains(d)) {
                        missing.add(d);
                    }
                }
                continue;
            }
            try {
                var modules = probe.hostModules();
                for (int m = 0; m < modules.size(); m++) {
                    var hm = modules.get(m);
                    var fns = hm.functions();
                    for (int f = 0; f < fns.size(); f++) {
                        define(granted, grantedBy, hm, fns.get(f), new Prelinked.Source(fns.get(f), c, m, f));
                    }
                }
            } finally {
                probe.close();
            }
        }

        Set<HostModuleDef> used = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Prelinked.Source> sources = new ArrayList<>();
        List<FunctionType> types = new ArrayList<>();
        var imports = module.importSection();
        for (int i = 0; i < imports.importCount(); i++) {
            Import im = imports.getImport(i);
            if (!(im instanceof FunctionImport)) {
                add(missing, ChicoryModule.describeImport(module, im));
                continue;
            }
            FunctionType expected = module.typeSection().getType(((FunctionImport) im).typeIndex());
            var key = im.module() + "\0" + im.name();
            var source = granted.get(key);
            if (source == null && WASI.equals(im.module())) {
                // deny by default: no grant provides WASI, so the import links to a stub that reaches nothing
                var stub = DenyingWasi.function(im.name(), pm.name(), policy.arguments(),
                        policy.stdout().orElse(null), policy.stderr().orElse(null));
                source = stub == null ? null : new Prelinked.Source(stub, -1, -1, -1);
            }
            if (source == null) {
                add(missing, ChicoryModule.describeImport(module, im));
                continue;
            }
            if (!Types.toChicory(source.probe().signature()).typesMatch(expected)) {
                add(missing, withNote(ChicoryModule.describeImport(module, im), "host provides " + source.probe().signature()));
                continue;
            }
            sources.add(source);
            types.add(expected);
            var owner = grantedBy.get(key);
            if (owner != null) { // null: the deny-by-default WASI stub
                used.add(owner);
            }
        }
        return new Resolution(sources, types, missing, used);
    }

    private static void add(List<ImportDescriptor> missing, ImportDescriptor d) {
        // a capability's refusal may have listed it already
        for (var m : missing) {
            if (m.module().equals(d.module()) && m.name().equals(d.name())) {
                return;
            }
        }
        missing.add(d);
    }

    private static void define(Map<String, Prelinked.Source> granted, Map<String, HostModuleDef> grantedBy, HostModuleDef hm,
            HostFunctionDef f, Prelinked.Source source) {
        var key = f.module() + "\0" + f.name();
        if (granted.putIfAbsent(key, source) != null) {
            throw new IllegalArgumentException("two granted host modules define " + f.module() + "." + f.name());
        }
        grantedBy.put(key, hm);
    }

    private static ImportDescriptor withNote(ImportDescriptor d, String note) {
        return new ImportDescriptor(d.module(), d.name(), d.kind(), d.type() + "; " + note);
    }

    /**
     * Tables that start larger than the policy allows (all tables together) fail here, before
     * anything is allocated.
     */
    private static void checkTables(String name, WasmModule module, PluginPolicy policy) {
        var tables = module.tableSection();
        long total = 0;
        for (int i = 0; i < tables.tableCount(); i++) {
            long min = tables.getTable(i).limits().min();
            total += min;
            if (total > policy.maxTableElements()) {
                throw new ModuleLoadException(ModuleLoadException.Reason.LIMITS, "module '" + name + "' needs "
                        + (i == 0 ? min + " elements in table 0" : total + " table elements (tables 0 to " + i + " together)")
                        + " at start, but its policy allows at most " + policy.maxTableElements()
                        + ": raise PluginPolicy.maxTableElements");
            }
        }
    }

    /**
     * Memory 0's limits: the module's initial size, and the smaller of the policy's bound and the
     * module's own maximum. Chicory's override replaces the module's limits in both directions, so
     * the clamp is ours. (Every memory, this one included, also shares the policy's bound with
     * the others: {@link MemoryBudget}.)
     */
    static MemoryLimits memoryLimits(String name, List<MemoryDescriptor> mems, PluginPolicy policy) {
        if (mems.isEmpty()) {
            return null;
        }
        var m = mems.get(0);
        int max = Math.min(policy.maxMemoryPages(), com.dylibso.chicory.runtime.Memory.RUNTIME_MAX_PAGES);
        if (m.maxPages().isPresent()) {
            max = Math.min(max, m.maxPages().getAsInt());
        }
        if (m.minPages() > max) {
            throw new ModuleLoadException(ModuleLoadException.Reason.LIMITS, "module '" + name + "' needs "
                    + m.minPages() + " pages (" + m.minPages() * 64L + " KiB) of memory at start, but its policy allows at most "
                    + max + " pages (" + max * 64L + " KiB): raise PluginPolicy.maxMemory");
        }
        return new MemoryLimits(m.minPages(), max);
    }
}
