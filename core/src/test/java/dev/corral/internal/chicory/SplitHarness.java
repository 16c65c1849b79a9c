package dev.corral.internal.chicory;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs every numeric export of a module, the same way in every execution mode, and describes
 * what happened as text two runs can be compared by: results, the kind of trap, fuel left.
 * Imported functions are stubs that return zeros; calls run on their own thread and are
 * interrupted after a while (a guest that never finishes reads "interrupted" in both runs).
 */
final class SplitHarness {
    static final String RUNAWAY = "runaway (stack or time)";
    static final long[][] ARGUMENTS = {{0}, {1}, {3}, {7}, {12}};

    private SplitHarness() {}

    /** Compiles with no interpreter fallback: a function too large for a JVM method fails the test. */
    static Function<Instance, Machine> compiled(WasmModule m) {
        return MachineFactoryCompiler.builder(m).withInterpreterFallback(InterpreterFallback.FAIL).compile();
    }

    static boolean runnable(WasmModule m) {
        for (int i = 0; i < m.importSection().importCount(); i++) {
            if (!(m.importSection().getImport(i) instanceof FunctionImport)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every numeric export with each argument seed, on a fresh instance. {@code fuel} >= 0 sets the
     * metered module's fuel global before each call and reports it after.
     */
    static String run(WasmModule m, Function<Instance, Machine> machine, long fuel) {
        var out = new StringBuilder();
        int imported = m.importSection().count(ExternalType.FUNCTION);
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            var e = m.exportSection().getExport(i);
            if (e.exportType() != ExternalType.FUNCTION || e.name().startsWith("__corral")) {
                continue;
            }
            int index = (int) e.index();
            var type = index < imported ? null : m.functionSection().getFunctionType(index - imported, m.typeSection());
            if (type == null || !numeric(type.params()) || !numeric(type.returns())) {
                continue;
            }
            for (long[] seed : ARGUMENTS) {
                long[] args = new long[type.params().size()];
                Arrays.fill(args, seed[0]);
                out.append(e.name()).append(Arrays.toString(args)).append(": ").append(call(m, machine, e.name(), args, fuel))
                        .append('\n');
                if (args.length == 0) {
                    break;
                }
            }
        }
        return out.toString();
    }

    /**
     * {@code actual} must read like {@code interpreted} line by line, except where Chicory's own
     * two modes disagree on the unsplit module ({@code compiled}): there like {@code compiled}.
     */
    static void assertSameBehaviour(String interpreted, String compiled, String actual, String message) {
        String[] i = interpreted.split("\n");
        String[] c = compiled.split("\n");
        String[] a = actual.split("\n");
        org.junit.jupiter.api.Assertions.assertEquals(i.length, a.length, message + ": calls made\n" + actual);
        for (int k = 0; k < i.length; k++) {
            if (!i[k].contains(RUNAWAY) && c[k].contains(RUNAWAY) || i[k].contains(RUNAWAY) && !c[k].contains(RUNAWAY)) {
                // one mode of the unsplit module ran out of time or stack where the other finished:
                // a loaded machine, not a difference; the split module must do what one of them did
                org.junit.jupiter.api.Assertions.assertTrue(a[k].equals(i[k]) || a[k].equals(c[k]), message + ": " + a[k]
                        + " is neither '" + i[k] + "' nor '" + c[k] + "'");
                continue;
            }
            String expected = i[k].equals(c[k]) ? i[k] : c[k];
            org.junit.jupiter.api.Assertions.assertEquals(expected, a[k], message + (i[k].equals(c[k]) ? ""
                    : " (Chicory's interpreter says '" + i[k] + "' here)"));
        }
    }

    private static boolean numeric(List<ValType> types) {
        return types.stream().allMatch(t -> t.equals(ValType.I32) || t.equals(ValType.I64) || t.equals(ValType.F32)
                || t.equals(ValType.F64));
    }

    private static String call(WasmModule m, Function<Instance, Machine> machine, String name, long[] args, long fuel) {
        AtomicReference<String> result = new AtomicReference<>();
        Thread t = new Thread(null, () -> result.set(callHere(m, machine, name, args, fuel)), "split-harness", fuel >= 0 ? 256L << 20 : 8L << 20);
        t.setDaemon(true);
        t.start();
        try {
            t.join(fuel >= 0 ? 2_000 : 200);
            if (t.isAlive()) {
                t.interrupt();
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String r = result.get();
        return r == null ? RUNAWAY : r;
    }

    private static String callHere(WasmModule m, Function<Instance, Machine> machine, String name, long[] args, long fuel) {
        var b = Instance.builder(m).withImportValues(stubs(m));
        if (machine != null) {
            b.withMachineFactory(machine);
        }
        Instance instance;
        try {
            instance = b.build();
        } catch (RuntimeException e) {
            return "uninstantiable " + describe(e);
        }
        var fuelGlobal = fuel >= 0 ? instance.exports().global(FuelInstrumenter.FUEL_EXPORT) : null;
        if (fuelGlobal != null) {
            fuelGlobal.setValue(fuel);
        }
        String tail = "";
        String what;
        try {
            long[] r = instance.export(name).apply(args);
            what = "ok " + Arrays.toString(r) + " pages=" + (instance.memory() == null ? 0 : instance.memory().pages());
        } catch (RuntimeException | StackOverflowError e) {
            what = describe(e);
        }
        if (fuelGlobal != null && !what.equals(RUNAWAY)) {
            tail = " fuel=" + fuelGlobal.getValue();
        }
        return what + tail;
    }

    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // how deep a runaway recursion gets, or whether a long run ends before the harness
            // interrupts it, depends on the JVM stack and speed of each mode, not on the code
            if (t instanceof StackOverflowError || String.valueOf(t.getMessage()).contains("call stack exhausted")
                    || t instanceof com.dylibso.chicory.runtime.ChicoryInterruptedException) {
                return RUNAWAY;
            }
        }
        var kind = Errors.kindOf(e.getMessage());
        return "trap " + (kind != null ? kind : e.getClass().getSimpleName());
    }

    private static ImportValues stubs(WasmModule m) {
        List<ImportFunction> fns = new ArrayList<>();
        for (int i = 0; i < m.importSection().importCount(); i++) {
            var im = (FunctionImport) m.importSection().getImport(i);
            var type = m.typeSection().getType(im.typeIndex());
            fns.add(new HostFunction(im.module(), im.name(), type, (inst, a) -> type.returns().isEmpty() ? null
                    : new long[type.returns().size()]));
        }
        return ImportValues.builder().withFunctions(fns).build();
    }
}
