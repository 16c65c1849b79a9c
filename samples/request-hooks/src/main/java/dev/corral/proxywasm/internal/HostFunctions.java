package dev.corral.proxywasm.internal;

import dev.corral.FunctionSignature;
import dev.corral.ValueType;
import dev.corral.spi.HostContext;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code env} module a proxy-wasm filter imports, bound to one VM. Every function of every ABI
 * version is offered (a module links only what it imports), so a 0.2.1 filter that also imports a
 * 0.1.0 name still links; the behaviour that differs by version (header callbacks' arity,
 * {@code proxy_get_header_map_value} on a missing key) follows the module's declared version.
 */
public final class HostFunctions {
    static final String ENV = "env";

    private HostFunctions() {}

    /** A host call: returns the status for the guest (or throws {@link GuestIo.Status}). */
    @FunctionalInterface
    interface Call {
        int apply(HostContext c, long[] a) throws GuestIo.Status;
    }

    public static HostModuleDef env(VmState vm) {
        List<HostFunctionDef> out = new ArrayList<>();
        ContextCalls.add(out, vm);
        HeaderCalls.add(out, vm);
        BufferCalls.add(out, vm);
        SharedCalls.add(out, vm);
        OutboundCalls.add(out, vm);
        return HostModuleDef.of(ENV, out);
    }

    /** A function of {@code params} i32 parameters returning an i32 status. */
    static HostFunctionDef fn(String name, int params, Call call) {
        return fn(name, Collections.nCopies(params, ValueType.I32), call);
    }

    static HostFunctionDef fn(String name, List<ValueType> params, Call call) {
        return HostFunctionDef.of(ENV, name, FunctionSignature.of(params, List.of(ValueType.I32)), (c, a) -> {
            int status;
            try {
                status = call.apply(c, a);
            } catch (GuestIo.Status s) {
                status = s.code;
            }
            return new long[] {status};
        });
    }

    /** A function without a result (e.g. emscripten's memory growth notice). */
    static HostFunctionDef voidFn(String name, int params, HostFunctionDef.Implementation impl) {
        return HostFunctionDef.of(ENV, name, FunctionSignature.of(Collections.nCopies(params, ValueType.I32), List.of()), impl);
    }
}
