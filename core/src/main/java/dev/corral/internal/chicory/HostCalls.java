package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.corral.CorralException;
import dev.corral.HostFunctionException;

/**
 * Wraps a Corral host function for Chicory. A host function's own exception would otherwise pass
 * through Chicory unwrapped; here it becomes a {@link HostFunctionException} naming the function,
 * with the host's exception as cause. Corral's own exceptions (a bad guest pointer, a nested
 * plugin's timeout) pass as they are.
 *
 * <p>On a metered plugin, every host call is charged the policy's host-call fuel first.
 */
final class HostCalls {
    private HostCalls() {}

    static HostFunction adapt(ChicoryPlugin plugin, dev.corral.spi.HostFunction f, FunctionType type) {
        var impl = f.implementation();
        var qualified = f.module() + "." + f.name();
        int results = type.returns().size();
        boolean metered = plugin.metered();
        return new HostFunction(f.module(), f.name(), type, (instance, args) -> {
            if (metered) {
                plugin.chargeHostCall(qualified);
            }
            long[] out;
            try {
                out = impl.apply(plugin, args);
            } catch (CorralException e) {
                throw e;
            } catch (Exception e) {
                throw new HostFunctionException(qualified, e);
            }
            int got = out == null ? 0 : out.length;
            if (got != results) {
                throw new HostFunctionException(qualified, new IllegalStateException(
                        "returned " + got + " values but its signature declares " + results));
            }
            return out;
        });
    }
}
