package dev.corral.proxywasm.internal;

import dev.corral.CallTimeoutException;
import dev.corral.FuelExhaustedException;
import dev.corral.HostFunctionException;
import dev.corral.PluginExitException;
import dev.corral.StackExhaustedException;
import dev.corral.TrapException;
import dev.corral.proxywasm.FaultKind;

/** A callback of a VM did not complete; the VM must not be used again. */
public final class VmFault extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final FaultKind kind;
    public final String callback;

    public VmFault(FaultKind kind, String callback, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.callback = callback;
    }

    /** Maps what a call threw to a fault kind; {@code atMemoryLimit}: the VM's memory is at its maximum. */
    static FaultKind classify(RuntimeException e, boolean atMemoryLimit) {
        if (e instanceof CallTimeoutException) {
            return FaultKind.TIMEOUT;
        }
        if (e instanceof FuelExhaustedException) {
            return FaultKind.FUEL;
        }
        if (e instanceof StackExhaustedException) {
            return FaultKind.STACK;
        }
        if (e instanceof TrapException || e instanceof PluginExitException) {
            // a failed memory.grow surfaces as the guest's own abort: blame the limit when it was reached
            if (atMemoryLimit) {
                return FaultKind.MEMORY;
            }
            return e instanceof TrapException ? FaultKind.TRAP : FaultKind.EXIT;
        }
        if (e instanceof HostFunctionException) {
            return FaultKind.HOST;
        }
        return e instanceof dev.corral.CorralException ? FaultKind.TRAP : FaultKind.HOST;
    }
}
