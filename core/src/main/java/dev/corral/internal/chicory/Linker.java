package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.corral.ImportDescriptor;
import dev.corral.ModuleLoadException;
import dev.corral.PluginPolicy;
import dev.corral.UnlinkableModuleException;
import dev.corral.spi.HostModule;
import java.io.OutputStream;
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
    static final String WASI = "wasi_snapshot_preview1";

    private Linker() {}

    static ChicoryPlugin instantiate(ChicoryModule cm, PluginPolicy policy) {
        var module = cm.module;
        var plugin = new ChicoryPlugin(cm, policy);

        Map<String, dev.corral.spi.HostFunction> granted = new HashMap<>();
        Map<String, HostModule> grantedBy = new HashMap<>();
        for (HostModule hm : policy.hostModules()) {
            for (var f : hm.functions()) {
                var key = f.module() + "\0" + f.name();
                if (granted.putIfAbsent(key, f) != null) {
                    throw new IllegalArgumentException("two granted host modules define " + f.module() + "." + f.name());
                }
                grantedBy.put(key, hm);
            }
        }
        Set<HostModule> used = Collections.newSetFromMap(new IdentityHashMap<>());

        WasiPreview1 wasi = null;
        Map<String, HostFunction> wasiFunctions = Map.of();
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
            if (host != null) {
                FunctionType actual = Types.toChicory(host.signature());
                if (!actual.typesMatch(expected)) {
                    missing.add(withNote(ChicoryModule.describeImport(module, im), "host provides " + host.signature()));
                    continue;
                }
                provided.add(HostCalls.adapt(plugin, host, expected));
                used.add(grantedBy.get(im.module() + "\0" + im.name()));
                continue;
            }
            if (WASI.equals(im.module())) {
                if (wasi == null) {
                    wasi = wasi(cm.name(), policy);
                    wasiFunctions = new HashMap<>();
                    for (HostFunction f : wasi.toHostFunctions()) {
                        wasiFunctions.put(f.name(), f);
                    }
                }
                HostFunction f = wasiFunctions.get(im.name());
                if (f != null && f.functionType().typesMatch(expected)) {
                    provided.add(f);
                    continue;
                }
            }
            missing.add(ChicoryModule.describeImport(module, im));
        }
        if (!missing.isEmpty()) {
            if (wasi != null) {
                wasi.close();
            }
            throw new UnlinkableModuleException(cm.name(), missing, "grant host modules through PluginPolicy.Builder.hostModule");
        }
        try {
            for (HostModule hm : used) {
                hm.checkPlugin(cm);
            }
        } catch (RuntimeException e) {
            if (wasi != null) {
                wasi.close();
            }
            throw e;
        }

        var builder = Instance.builder(module)
                .withImportValues(ImportValues.builder().withFunctions(new ArrayList<>(provided)).build())
                .withMachineFactory(cm.machineFactory)
                .withMemoryFactory(ByteArrayMemory::new)
                .withInitialize(false)
                .withStart(false);
        var limits = memoryLimits(cm, policy);
        if (limits != null) {
            builder.withMemoryLimits(limits);
        }
        Instance instance;
        try {
            instance = builder.build();
        } catch (RuntimeException e) {
            if (wasi != null) {
                wasi.close();
            }
            var reason = e instanceof com.dylibso.chicory.wasm.UnlinkableException
                    ? ModuleLoadException.Reason.UNLINKABLE : ModuleLoadException.Reason.INVALID;
            throw new ModuleLoadException(reason, "module '" + cm.name() + "' cannot be instantiated: " + e.getMessage(), e);
        }
        plugin.attach(instance, wasi);
        // data segments, globals and the start function run under the policy's guards (timeout, error mapping)
        plugin.initialize();
        return plugin;
    }

    private static ImportDescriptor withNote(ImportDescriptor d, String note) {
        return new ImportDescriptor(d.module(), d.name(), d.kind(), d.type() + "; " + note);
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

    private static WasiPreview1 wasi(String name, PluginPolicy policy) {
        List<String> args = new ArrayList<>();
        args.add(name);
        args.addAll(policy.arguments());
        var opts = WasiOptions.builder()
                .withArguments(args)
                .withStdout(policy.stdout().orElse(OutputStream.nullOutputStream()), false)
                .withStderr(policy.stderr().orElse(OutputStream.nullOutputStream()), false)
                .withThrowOnExit0(true)
                .build();
        return WasiPreview1.builder().withOptions(opts).build();
    }
}
