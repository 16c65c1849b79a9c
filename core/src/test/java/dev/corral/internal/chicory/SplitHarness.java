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
 * interrupted after a short while, so a guest that never finishes reads {@link #RUNAWAY} in every
 * run. A short while is not enough for a slow first call on a loaded machine (class loading, a
 * cold JIT): a {@code RUNAWAY} that another run of the same call does not share is run again,
 * patiently, before the two are compared, so the verdict does not depend on the machine's load.
 */
final class SplitHarness {
    static final String RUNAWAY = "runaway (stack or time)";
    static final long[][] ARGUMENTS = {{0}, {1}, {3}, {7}, {12}};
    /** How long a call may take before it reads RUNAWAY: short first, long when it is re-run. */
    private static final long QUICK_MILLIS = 200, METERED_MILLIS = 2_000, PATIENT_MILLIS = 30_000;

    /** The calls of one {@link #run}: their outcomes, and how to make each call again. */
    static final class Run {
        private final List<String> lines = new ArrayList<>();
        private final List<java.util.function.LongFunction<String>> calls = new ArrayList<>();

        /** The outcome of call {@code k}, re-run with a long timeout first if it read RUNAWAY. */
        String patient(int k) {
            if (lines.get(k).contains(RUNAWAY)) {
                String label = lines.get(k).substring(0, lines.get(k).indexOf(": ") + 2);
                lines.set(k, label + calls.get(k).apply(PATIENT_MILLIS));
            }
            return lines.get(k);
        }

        int size() {
            return lines.size();
        }

        @Override
        public String toString() {
            return String.join("\n", lines) + "\n";
        }
    }

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
    static Run run(WasmModule m, Function<Instance, Machine> machine, long fuel) {
        var out = new Run();
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
                java.util.function.LongFunction<String> call = millis -> call(m, machine, e.name(), args, fuel, millis);
                out.lines.add(e.name() + Arrays.toString(args) + ": " + call.apply(fuel >= 0 ? METERED_MILLIS : QUICK_MILLIS));
                out.calls.add(call);
                if (args.length == 0) {
                    break;
                }
            }
        }
        return out;
    }

    /**
     * {@code actual} must read like {@code interpreted} line by line, except where Chicory's own
     * two modes disagree on the unsplit module ({@code compiled}): there like {@code compiled}.
     */
    static void assertSameBehaviour(Run interpreted, Run compiled, Run actual, String message) {
        org.junit.jupiter.api.Assertions.assertEquals(interpreted.size(), actual.size(), message + ": calls made\n" + actual);
        for (int k = 0; k < interpreted.size(); k++) {
            String i = interpreted.lines.get(k), c = compiled.lines.get(k), a = actual.lines.get(k);
            if (!(i.equals(c) && c.equals(a)) && (i + c + a).contains(RUNAWAY)) {
                // a RUNAWAY the others do not share may be a slow machine: ask each run again, patiently
                i = interpreted.patient(k);
                c = compiled.patient(k);
                a = actual.patient(k);
            }
            if (!i.contains(RUNAWAY) && c.contains(RUNAWAY) || i.contains(RUNAWAY) && !c.contains(RUNAWAY)) {
                // one mode of the unsplit module runs out of stack where the other finishes (their JVM
                // frames differ in size): the split module must do what one of them did
                org.junit.jupiter.api.Assertions.assertTrue(a.equals(i) || a.equals(c), message + ": " + a
                        + " is neither '" + i + "' nor '" + c + "'");
                continue;
            }
            String expected = i.equals(c) ? i : c;
            org.junit.jupiter.api.Assertions.assertEquals(expected, a, message + (i.equals(c) ? ""
                    : " (Chicory's interpreter says '" + i + "' here)"));
        }
    }

    private static boolean numeric(List<ValType> types) {
        return types.stream().allMatch(t -> t.equals(ValType.I32) || t.equals(ValType.I64) || t.equals(ValType.F32)
                || t.equals(ValType.F64));
    }

    private static String call(WasmModule m, Function<Instance, Machine> machine, String name, long[] args, long fuel,
            long millis) {
        AtomicReference<String> result = new AtomicReference<>();
        Thread t = new Thread(null, () -> result.set(callHere(m, machine, name, args, fuel)), "split-harness", fuel >= 0 ? 256L << 20 : 8L << 20);
        t.setDaemon(true);
        t.start();
        try {
            t.join(millis);
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
