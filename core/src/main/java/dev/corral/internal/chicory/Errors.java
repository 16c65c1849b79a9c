package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmException;
import com.dylibso.chicory.wasm.UninstantiableException;
import dev.corral.CallInterruptedException;
import dev.corral.CorralException;
import dev.corral.PluginExitException;
import dev.corral.StackExhaustedException;
import dev.corral.TrapException;
import dev.corral.TrapException.Kind;
import java.util.Locale;

/**
 * Turns whatever leaves Chicory into a Corral exception. Chicory signals traps with three
 * exception classes and free-form messages; the kind is read from the message, which is stable
 * across Chicory's interpreter and compiler (both share the same spec-test messages).
 */
final class Errors {
    private static final String COMPILED_PREFIX = "com.dylibso.chicory.$gen";

    private final ChicoryModule module;
    private Instance instance;

    /** Function indices of fuel-passing clones (metered variant) to the function each one runs. */
    private final java.util.Map<Integer, Integer> clones;

    Errors(ChicoryModule module, java.util.Map<Integer, Integer> clones) {
        this.module = module;
        this.clones = clones;
    }

    void attach(Instance instance) {
        this.instance = instance;
    }

    RuntimeException map(Throwable e, String export) {
        if (e instanceof CorralException) {
            return (CorralException) e;
        }
        if (e instanceof UninstantiableException && e.getCause() != null) {
            return map(e.getCause(), export); // a trap in the start function
        }
        if (e instanceof StackOverflowError || isStackExhausted(e)) {
            return new StackExhaustedException(export, e);
        }
        if (e instanceof OutOfMemoryError) {
            // what the guest can allocate is bounded (memories, tables, no GC unless enabled), so
            // this is the host's heap running short during the call
            return new CorralException("plugin '" + module.name() + "' ran out of JVM heap in '" + export + "' (" + e
                    + "): the host's heap is too small for what its plugins may allocate, or WasmFeature.GC is enabled", e);
        }
        if (e instanceof ChicoryInterruptedException) {
            // the deadline path replaces this with CallTimeoutException when the watchdog fired
            return new CallInterruptedException(export);
        }
        if (e instanceof WasmException) {
            return new TrapException(Kind.UNCAUGHT_EXCEPTION, functionOf(e),
                    trapMessage("uncaught wasm exception", e, export), e);
        }
        Kind kind = kindOf(e.getMessage());
        if (kind != null) {
            return new TrapException(kind, functionOf(e), trapMessage(e.getMessage(), e, export), e);
        }
        if (e instanceof com.dylibso.chicory.runtime.TrapException
                || e instanceof com.dylibso.chicory.runtime.WasmRuntimeException) {
            return new TrapException(Kind.OTHER, functionOf(e), trapMessage(e.getMessage(), e, export), e);
        }
        return new CorralException("plugin '" + module.name() + "' failed in '" + export + "' inside the runtime: " + e, e);
    }

    private String trapMessage(String what, Throwable e, String export) {
        String fn = functionOf(e);
        return "plugin '" + module.name() + "' trapped in '" + export + "'" + (fn != null && !fn.equals(export) ? " (in wasm function " + fn + ")" : "")
                + ": " + what;
    }

    private static boolean isStackExhausted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StackOverflowError) {
                return true;
            }
            if (t.getMessage() != null && t.getMessage().contains("call stack exhausted")) {
                return true;
            }
        }
        return false;
    }

    static Kind kindOf(String message) {
        if (message == null) {
            return null;
        }
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("unreachable")) {
            return Kind.UNREACHABLE;
        } else if (m.contains("out of bounds memory")) {
            return Kind.MEMORY_OUT_OF_BOUNDS;
        } else if (m.contains("out of bounds table") || m.contains("undefined element")) {
            return Kind.TABLE_OUT_OF_BOUNDS;
        } else if (m.contains("integer divide by zero")) {
            return Kind.INTEGER_DIVIDE_BY_ZERO;
        } else if (m.contains("integer overflow")) {
            return Kind.INTEGER_OVERFLOW;
        } else if (m.contains("invalid conversion to integer")) {
            return Kind.INVALID_CONVERSION_TO_INTEGER;
        } else if (m.contains("indirect call type mismatch")) {
            return Kind.INDIRECT_CALL_TYPE_MISMATCH;
        } else if (m.contains("uninitialized element")) {
            return Kind.UNINITIALIZED_ELEMENT;
        } else if (m.contains("null") && m.contains("reference")) {
            return Kind.NULL_REFERENCE;
        } else if (m.contains("unaligned atomic")) {
            return Kind.UNALIGNED_ATOMIC; // Chicory throws it as an InvalidException, at run time
        }
        return null;
    }

    private String name(int functionIndex) {
        return module.functionName(clones.getOrDefault(functionIndex, functionIndex));
    }

    /** The innermost wasm function the exception came out of, by name, or null. */
    private String functionOf(Throwable e) {
        if (instance != null && instance.getMachine() instanceof TrackingInterpreterMachine) {
            return name(((TrackingInterpreterMachine) instance.getMachine()).functionOf(e));
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (StackTraceElement f : t.getStackTrace()) {
                String m = f.getMethodName();
                if (m.startsWith("func_") && f.getClassName().startsWith(COMPILED_PREFIX)) {
                    try {
                        return name(Integer.parseInt(m.substring(5)));
                    } catch (NumberFormatException ignored) {
                        // not one of the compiler's function methods
                    }
                }
            }
        }
        return null;
    }
}
