package dev.corral.proxywasm.internal;

import dev.corral.FunctionSignature;
import dev.corral.ModuleLoadException;
import dev.corral.PluginModule;
import dev.corral.ValueType;
import dev.corral.proxywasm.AbiVersion;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a module offers the host, checked once at load: its ABI version (from the
 * {@code proxy_abi_version_*} marker), its allocator, its start-up exports, and the callbacks it
 * exports with the signatures the version prescribes. A module that is not a proxy-wasm filter, or
 * exports a callback with the wrong signature, is refused here with a message naming the problem.
 */
public final class ModuleShape {
    public final AbiVersion abi;
    public final String allocExport;
    /** Callback name to whether it is exported with the right signature. */
    private final Map<String, Boolean> callbacks = new HashMap<>();
    public final boolean hasInitialize;
    public final boolean hasMain;
    public final boolean hasStart;

    private ModuleShape(AbiVersion abi, String allocExport, boolean init, boolean main, boolean start) {
        this.abi = abi;
        this.allocExport = allocExport;
        this.hasInitialize = init;
        this.hasMain = main;
        this.hasStart = start;
    }

    public boolean has(String callback) {
        return callbacks.getOrDefault(callback, false);
    }

    /** Expected (i32 params, i32 result?) of each callback the host calls, for this version. */
    static Map<String, int[]> expected(AbiVersion v) {
        Map<String, int[]> m = new HashMap<>();
        int headers = v.headersHaveEndOfStream() ? 3 : 2;
        m.put("proxy_on_context_create", new int[] {2, 0});
        m.put("proxy_on_vm_start", new int[] {2, 1});
        m.put("proxy_on_configure", new int[] {2, 1});
        m.put("proxy_on_tick", new int[] {1, 0});
        m.put("proxy_on_queue_ready", new int[] {2, 0});
        m.put("proxy_on_request_headers", new int[] {headers, 1});
        m.put("proxy_on_request_body", new int[] {3, 1});
        m.put("proxy_on_request_trailers", new int[] {2, 1});
        m.put("proxy_on_response_headers", new int[] {headers, 1});
        m.put("proxy_on_response_body", new int[] {3, 1});
        m.put("proxy_on_response_trailers", new int[] {2, 1});
        m.put("proxy_on_done", new int[] {1, 1});
        m.put("proxy_on_log", new int[] {1, 0});
        m.put("proxy_on_delete", new int[] {1, 0});
        return m;
    }

    public static ModuleShape of(PluginModule module) {
        AbiVersion abi = null;
        for (AbiVersion v : AbiVersion.values()) { // ascending: the newest declared version wins
            if (module.exportedFunction(v.marker()).isPresent()) {
                abi = v;
            }
        }
        if (abi == null) {
            throw new ModuleLoadException(ModuleLoadException.Reason.UNSUPPORTED, "module '" + module.name()
                    + "' is not a proxy-wasm filter: it exports none of proxy_abi_version_0_2_1, proxy_abi_version_0_2_0,"
                    + " proxy_abi_version_0_1_0 (every proxy-wasm SDK exports one; build the filter with a proxy-wasm SDK)");
        }
        String alloc = null;
        for (String name : List.of("proxy_on_memory_allocate", "malloc")) {
            Optional<FunctionSignature> s = module.exportedFunction(name);
            if (s.isPresent() && s.get().equals(sig(1, 1))) {
                alloc = name;
                break;
            }
        }
        if (alloc == null) {
            throw new ModuleLoadException(ModuleLoadException.Reason.UNSUPPORTED, "proxy-wasm filter '" + module.name()
                    + "' exports no allocator: it needs proxy_on_memory_allocate (or malloc) of type (i32) -> (i32)"
                    + " so the host can hand it data");
        }
        var shape = new ModuleShape(abi, alloc,
                module.exportedFunction("_initialize").filter(s -> s.equals(sig(0, 0))).isPresent(),
                module.exportedFunction("main").filter(s -> s.equals(sig(2, 1))).isPresent(),
                module.exportedFunction("_start").filter(s -> s.equals(sig(0, 0))).isPresent());
        List<String> wrong = new ArrayList<>();
        for (var e : expected(abi).entrySet()) {
            Optional<FunctionSignature> s = module.exportedFunction(e.getKey());
            if (s.isEmpty()) {
                continue;
            }
            FunctionSignature want = sig(e.getValue()[0], e.getValue()[1]);
            if (!s.get().equals(want)) {
                wrong.add(e.getKey() + " is " + s.get() + ", ABI " + abi + " wants " + want);
            } else {
                shape.callbacks.put(e.getKey(), true);
            }
        }
        if (!wrong.isEmpty()) {
            Collections.sort(wrong);
            throw new ModuleLoadException(ModuleLoadException.Reason.UNSUPPORTED, "proxy-wasm filter '" + module.name()
                    + "' exports callbacks of the wrong type: " + String.join("; ", wrong));
        }
        if (!shape.has("proxy_on_context_create")) {
            throw new ModuleLoadException(ModuleLoadException.Reason.UNSUPPORTED, "proxy-wasm filter '" + module.name()
                    + "' does not export proxy_on_context_create, so it can never see a request");
        }
        return shape;
    }

    static FunctionSignature sig(int params, int results) {
        return FunctionSignature.of(Collections.nCopies(params, ValueType.I32), Collections.nCopies(results, ValueType.I32));
    }
}
