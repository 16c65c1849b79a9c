package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.MachineFactory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Chicory's dispatch methods of a module with thousands of functions of one type come out above
 * HotSpot's JIT limit; split, every method fits and every call still reaches its function.
 */
class DispatchSplitterTest {
    private static final int IMPORTS = 2;

    /** Compiles with Chicory, each class through {@code rewrite}; returns the classes and an instance. */
    private static Map<String, byte[]> compile(WasmModule module, UnaryOperator<byte[]> rewrite, Instance[] instance) {
        // Chicory asks for a collector per chunk of classes and merges them into the first
        var collector = (ClassLoadingCollector) Compiler.builder(module)
                .withClassCollectorFactory(() -> new ClassLoadingCollector() {
                    @Override
                    public void putMainClass(String name, byte[] bytes) {
                        super.putMainClass(name, rewrite.apply(bytes));
                    }

                    @Override
                    public void put(String name, byte[] bytes) {
                        super.put(name, rewrite.apply(bytes));
                    }
                }).build().compile().collector();
        var type = FunctionType.of(List.of(ValType.I32), List.of(ValType.I32));
        var imports = ImportValues.builder();
        for (int i = 0; i < IMPORTS; i++) {
            int self = i;
            imports.addFunction(new HostFunction("env", "h" + i, type, (inst, args) -> new long[] {(int) args[0] + self}));
        }
        instance[0] = Instance.builder(module).withImportValues(imports.build())
                .withMachineFactory(new MachineFactory(module, collector.machineFactory())).build();
        return new TreeMap<>(collector.classBytes());
    }

    private static List<CompiledCode.Method> methods(Map<String, byte[]> classes) throws IOException {
        List<CompiledCode.Method> all = new ArrayList<>();
        for (var e : classes.entrySet()) {
            CompiledCode.readMethods(e.getKey(), e.getValue(), all);
        }
        return all;
    }

    /**
     * 2,000 functions: Chicory chunks the dispatch into {@code CompiledMachineIndirect_0_0.apply} and
     * {@code call_dispatch_0}; 1,020: the host-to-guest dispatch is inline in {@code call}, and
     * {@code call_indirect_0}'s switch sits after its table lookup; 900: only the latter is too large.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {900, 1_020, 2_000})
    void oversizedDispatchMethodsAreSplitAndEveryCallStillArrives(int n) throws IOException {
        WasmModule module = Parser.parse(GeneratedModules.manyFunctionsOfOneType(n));
        Instance[] plain = new Instance[1];
        Instance[] split = new Instance[1];
        var before = methods(compile(module, b -> b, plain));
        var after = methods(compile(module, DispatchSplitter::split, split));

        List<String> large = new ArrayList<>();
        for (var m : before) {
            if (m.bytes() > FunctionSplitter.JIT_LIMIT) {
                large.add(m.className() + "." + m.name());
            }
        }
        if (n == 2_000) {
            assertTrue(large.stream().anyMatch(s -> s.contains("Indirect")), "an oversized call_indirect dispatch: " + large);
            assertTrue(large.stream().anyMatch(s -> s.contains("call_dispatch")), "an oversized call dispatch: " + large);
        } else {
            assertTrue(large.stream().anyMatch(s -> s.endsWith(".call_indirect_0")), "an oversized call_indirect: " + large);
            assertEquals(n > 1_000, large.stream().anyMatch(s -> s.endsWith("MachineCall.call")), "an oversized call: " + large);
        }
        for (var m : after) {
            assertTrue(m.bytes() <= FunctionSplitter.JIT_LIMIT, m.className() + "." + m.name() + ": " + m.bytes() + " bytes");
        }

        int total = IMPORTS + n;
        for (int k : new int[] {0, 1, 2, 3, 255, 256, 257, total - 1, total, total + 1, 3 * total + 17}) {
            long expected = 0;
            for (int i = 0; i < k; i++) {
                expected += i % total;
            }
            long[] want = plain[0].export("run").apply(k);
            assertEquals((int) expected, (int) want[0], "unsplit, k = " + k);
            assertArrayEquals(want, split[0].export("run").apply(k), "split, k = " + k);
        }
        for (int f : new int[] {IMPORTS, IMPORTS + n / 2, IMPORTS + n - 1}) {
            assertEquals(1_000 + f, (int) split[0].export("f_" + f).apply(1_000)[0], "exported f_" + f + " via the split call dispatch");
        }
    }

    @Test
    void classesWithoutOversizedDispatchAreReturnedUntouched() {
        WasmModule module = Parser.parse(GeneratedModules.manyFunctionsOfOneType(50));
        Instance[] one = new Instance[1];
        var seen = new ArrayList<byte[]>();
        compile(module, b -> {
            byte[] out = DispatchSplitter.split(b);
            assertSame(b, out, "nothing above the limit: the very same bytes");
            seen.add(out);
            return out;
        }, one);
        assertTrue(seen.size() > 1);
        assertEquals(49 * 50 / 2, (int) one[0].export("run").apply(50)[0], "runs: the sum of 0..49");
    }
}
