package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;

/**
 * Links a Corral host function into one plugin. Its {@link BoundHandle} is what Chicory calls:
 * that maps a host function's own exception to a {@link dev.corral.HostFunctionException} naming
 * the function, with the host's exception as cause (Corral's own exceptions, such as a bad guest
 * pointer or a nested plugin's timeout, pass as they are).
 *
 * <p>On a metered plugin with a {@code hostCallFuel}, every host call is charged it first.
 */
final class HostCalls {
    private HostCalls() {}

    static HostFunction adapt(ChicoryPlugin plugin, dev.corral.spi.HostFunctionDef f, FunctionType type) {
        String qualified = f.module() + "." + f.name();
        BoundHandle handle = f.binder().bind(plugin);
        if (handle == null) {
            throw new IllegalStateException("the Binder of host function " + qualified + " returned null");
        }
        handle.attach(qualified, type.returns().size());
        // without a host-call charge the adapter would do nothing but add a call and a dependent
        // load to every host call (issue 15, item 6): the handle itself is what Chicory calls
        return new HostFunction(f.module(), f.name(), type, plugin.chargesHostCalls() ? new Metered(plugin, handle) : handle);
    }

    private static final class Metered implements WasmFunctionHandle {
        private final ChicoryPlugin plugin;
        private final BoundHandle handle;

        Metered(ChicoryPlugin plugin, BoundHandle handle) {
            this.plugin = plugin;
            this.handle = handle;
        }

        @Override
        public long[] apply(Instance instance, long... args) {
            plugin.chargeHostCall(handle.qualified());
            return handle.apply(instance, args);
        }
    }
}
