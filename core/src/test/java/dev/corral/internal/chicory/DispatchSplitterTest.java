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
import java.io.ByteArrayOutputStream;
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

    /**
     * {@code n} functions {@code (i32) -> i32} after two imported ones of the same type; function
     * j returns its argument plus j. All of them are in a table; "run"(k) calls entry i mod size
     * for i < k by call_indirect and sums; "f_j" exports a few directly.
     */
    static byte[] module(int n) {
        int total = IMPORTS + n;
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(out, 1, new byte[] {1, 0x60, 1, 0x7f, 1, 0x7f});
        var imports = new ByteArrayOutputStream();
        leb(imports, IMPORTS);
        for (int i = 0; i < IMPORTS; i++) {
            name(imports, "env");
            name(imports, "h" + i);
            imports.writeBytes(new byte[] {0, 0});
        }
        section(out, 2, imports.toByteArray());
        var funcs = new ByteArrayOutputStream();
        leb(funcs, n + 1);
        for (int i = 0; i <= n; i++) {
            funcs.write(0);
        }
        section(out, 3, funcs.toByteArray());
        var table = new ByteArrayOutputStream();
        table.writeBytes(new byte[] {1, 0x70, 0});
        leb(table, total);
        section(out, 4, table.toByteArray());
        var exports = new ByteArrayOutputStream();
        int[] direct = {IMPORTS, IMPORTS + n / 2, IMPORTS + n - 1};
        leb(exports, 1 + direct.length);
        name(exports, "run");
        exports.write(0);
        leb(exports, total);
        for (int f : direct) {
            name(exports, "f_" + f);
            exports.write(0);
            leb(exports, f);
        }
        section(out, 7, exports.toByteArray());
        var elem = new ByteArrayOutputStream();
        elem.writeBytes(new byte[] {1, 0, 0x41, 0, 0x0b});
        leb(elem, total);
        for (int i = 0; i < total; i++) {
            leb(elem, i);
        }
        section(out, 9, elem.toByteArray());
        var code = new ByteArrayOutputStream();
        leb(code, n + 1);
        for (int i = 0; i < n; i++) {
            var b = new ByteArrayOutputStream();
            b.writeBytes(new byte[] {0, 0x20, 0, 0x41});
            sleb(b, IMPORTS + i);
            b.writeBytes(new byte[] {0x6a, 0x0b});
            leb(code, b.size());
            code.writeBytes(b.toByteArray());
        }
        var run = new ByteArrayOutputStream();
        run.writeBytes(new byte[] {1, 2, 0x7f}); // locals i, acc
        run.writeBytes(new byte[] {0x02, 0x40, 0x03, 0x40}); // block loop
        run.writeBytes(new byte[] {0x20, 1, 0x20, 0, 0x4f, 0x0d, 1}); // i >= k: br_if out
        run.writeBytes(new byte[] {0x20, 2, 0x20, 1, 0x41});
        sleb(run, total);
        run.writeBytes(new byte[] {0x70, 0x11, 0, 0, 0x21, 2}); // i32.rem_u, call_indirect type 0 table 0, set acc
        run.writeBytes(new byte[] {0x20, 1, 0x41, 1, 0x6a, 0x21, 1, 0x0c, 0, 0x0b, 0x0b, 0x20, 2, 0x0b});
        leb(code, run.size());
        code.writeBytes(run.toByteArray());
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

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
        WasmModule module = Parser.parse(module(n));
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
        WasmModule module = Parser.parse(module(50));
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

    private static void section(ByteArrayOutputStream out, int id, byte[] body) {
        out.write(id);
        leb(out, body.length);
        out.writeBytes(body);
    }

    private static void name(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        leb(out, b.length);
        out.writeBytes(b);
    }

    private static void leb(ByteArrayOutputStream out, int v) {
        do {
            int x = v & 0x7f;
            v >>>= 7;
            out.write(v != 0 ? x | 0x80 : x);
        } while (v != 0);
    }

    private static void sleb(ByteArrayOutputStream out, int v) {
        while (true) {
            int x = v & 0x7f;
            v >>= 7;
            if ((v == 0 && (x & 0x40) == 0) || (v == -1 && (x & 0x40) != 0)) {
                out.write(x);
                return;
            }
            out.write(x | 0x80);
        }
    }
}
