package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.ValType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuel sits in function locals in chunks handed out from a reserve global; the chunk size may only
 * change how often the refill path runs, never what anything costs. Every fixture export is run
 * with chunks from 1 unit up to the production size, under budgets that run out at many different
 * points, and must give the same results, the same trap and the same fuel left, to the unit.
 */
class FuelChunkTest {
    private static final int[] CHUNKS = {1, 2, 7, 100, FuelInstrumenter.CHUNK};
    private static final long[] BUDGETS = {0, 1, 5, 33, 100, 1_000, 10_000, 200_000};

    static List<Path> fixtures() throws Exception {
        return FuelInstrumenterTest.fixtures().toList();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void chunkSizeNeverChangesResultsOrFuel(Path fixture) throws Exception {
        byte[] bytes = FuelInstrumenterTest.asLoaded(fixture); // no tail calls reach the instrumenter
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        if (original.importSection().importCount() > 0 || FuelInstrumenterTest.hasExport(original, FuelInstrumenter.FUEL_EXPORT)) {
            return; // needs host functions (covered through Corral elsewhere) or is the reserved-name fixture
        }
        List<String> exports = runnableExports(original);
        // the unrolled loops' fixture under every budget from 0 to 400: fuel runs out at every point
        long[] budgets = fixture.getFileName().toString().startsWith("fuel_unroll")
                ? java.util.stream.LongStream.rangeClosed(0, 400).toArray() : BUDGETS;
        String reference = null;
        for (int chunk : CHUNKS) {
            String outcome = run(FuelInstrumenter.instrument(bytes, original, true, chunk).bytes(), exports, budgets, false);
            if (reference == null) {
                reference = outcome;
            }
            assertEquals(reference, outcome, fixture.getFileName() + " with chunk " + chunk);
        }
        // compiled code takes the same paths: the tiniest chunk and the production one
        for (int chunk : new int[] {1, FuelInstrumenter.CHUNK}) {
            String outcome = run(FuelInstrumenter.instrument(bytes, original, false, chunk).bytes(), exports, budgets, true);
            assertEquals(comparable(reference, outcome), comparable(outcome, reference),
                    fixture.getFileName() + " compiled with chunk " + chunk);
        }
        assertTrue(exports.isEmpty() || reference.contains("fuel=") || reference.contains("uninstantiable"), reference);
    }

    /**
     * {@code a} without the lines where either side ran out of JVM stack: the interpreter and
     * compiled code use different amounts of it per wasm frame.
     */
    private static String comparable(String a, String b) {
        String[] x = a.split("\n");
        String[] y = b.split("\n");
        assertEquals(x.length, y.length);
        var out = new StringBuilder();
        for (int i = 0; i < x.length; i++) {
            if (!x[i].endsWith("stack exhausted") && !y[i].endsWith("stack exhausted")) {
                out.append(x[i]).append('\n');
            }
        }
        return out.toString();
    }

    private static String run(byte[] metered, List<String> exports, long[] budgets, boolean compiled) {
        WasmModule m = ChicoryModuleLoader.parse("t", metered);
        var factory = compiled ? MachineFactoryCompiler.builder(m).compile() : null;
        var out = new StringBuilder();
        for (String name : exports) {
            for (long budget : budgets) {
                var b = Instance.builder(m).withStart(false);
                if (factory != null) {
                    b.withMachineFactory(factory);
                }
                out.append(name).append('@').append(budget).append(": ");
                Instance instance;
                try {
                    instance = b.build();
                } catch (RuntimeException e) {
                    out.append("uninstantiable ").append(e.getMessage()).append('\n');
                    continue;
                }
                var fuel = instance.exports().global(FuelInstrumenter.FUEL_EXPORT);
                fuel.setValue(budget);
                try {
                    long[] results = instance.export(name).apply();
                    out.append("ok ").append(Arrays.toString(results)).append(" fuel=").append(fuel.getValue());
                } catch (RuntimeException e) {
                    String message = String.valueOf(e.getMessage());
                    if (message.contains("call stack exhausted")) {
                        out.append("stack exhausted"); // depth depends on the JVM stack, not on fuel
                    } else {
                        out.append("trap ").append(message).append(" fuel=").append(fuel.getValue());
                    }
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static List<String> runnableExports(WasmModule m) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            var e = m.exportSection().getExport(i);
            if (e.exportType() != ExternalType.FUNCTION) {
                continue;
            }
            int imported = m.importSection().count(ExternalType.FUNCTION);
            var type = m.functionSection().getFunctionType((int) e.index() - imported, m.typeSection());
            boolean numeric = type.returns().stream().allMatch(t -> t.equals(ValType.I32) || t.equals(ValType.I64)
                    || t.equals(ValType.F32) || t.equals(ValType.F64));
            if (type.params().isEmpty() && numeric) {
                names.add(e.name());
            }
        }
        return names;
    }
}
