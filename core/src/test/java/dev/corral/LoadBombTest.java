package dev.corral;

import static dev.corral.WasmBytes.CODE;
import static dev.corral.WasmBytes.DATA;
import static dev.corral.WasmBytes.EXPORT;
import static dev.corral.WasmBytes.FUNCTION;
import static dev.corral.WasmBytes.GLOBAL;
import static dev.corral.WasmBytes.I32;
import static dev.corral.WasmBytes.IMPORT;
import static dev.corral.WasmBytes.MEMORY;
import static dev.corral.WasmBytes.TABLE;
import static dev.corral.WasmBytes.TYPE;
import static dev.corral.WasmBytes.body;
import static dev.corral.WasmBytes.bytes;
import static dev.corral.WasmBytes.cat;
import static dev.corral.WasmBytes.export;
import static dev.corral.WasmBytes.funcType;
import static dev.corral.WasmBytes.module;
import static dev.corral.WasmBytes.name;
import static dev.corral.WasmBytes.noLocals;
import static dev.corral.WasmBytes.repeat;
import static dev.corral.WasmBytes.section;
import static dev.corral.WasmBytes.u32;
import static dev.corral.WasmBytes.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, items 7 and 8: modules whose declared counts would make the parser or compiler
 * allocate gigabytes or run for minutes are refused before Chicory sees them, with a typed
 * {@link ModuleLoadException}, allocating little and returning quickly (the host-side invariant).
 */
class LoadBombTest {
    /** What refusing a bomb may allocate at most, whatever it declares. */
    private static final long SMALL_HEAP = 32L << 20;

    private static Corral corral;

    @BeforeAll
    static void engine() {
        corral = Corral.create();
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    private static ModuleLoadException refused(ModuleLoadException.Reason reason, String messagePart, byte[] wasm) throws Throwable {
        return refused(reason, messagePart, wasm, LoadLimits.defaults());
    }

    private static ModuleLoadException refused(ModuleLoadException.Reason reason, String messagePart, byte[] wasm, LoadLimits limits)
            throws Throwable {
        ModuleLoadException[] e = new ModuleLoadException[1];
        long start = System.nanoTime();
        long heap = Heap.allocatedBy(() -> e[0] = assertThrows(ModuleLoadException.class,
                () -> corral.loader().limits(limits).load(wasm)));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(reason, e[0].reason(), e[0].getMessage());
        assertTrue(e[0].getMessage().contains(messagePart), e[0].getMessage());
        assertTrue(heap < SMALL_HEAP + 4L * wasm.length, "refusing it allocated " + heap + " bytes");
        assertTrue(millis < 5_000, "refusing it took " + millis + " ms");
        return e[0];
    }

    @Test
    void aTypeWithTwoBillionParametersIn17Bytes() throws Throwable {
        byte[] wasm = module(section(TYPE, u32(1), bytes(0x60), u32(Integer.MAX_VALUE)));
        assertEquals(17, wasm.length);
        refused(ModuleLoadException.Reason.MALFORMED, "declares 2147483647 parameters", wasm);
        // inspecting (parse without compile) is guarded the same way
        var e = assertThrows(ModuleLoadException.class, () -> corral.loader().inspect(wasm));
        assertEquals(ModuleLoadException.Reason.MALFORMED, e.reason());
    }

    @Test
    void aTypeWithMoreParametersThanEnginesAllow() throws Throwable {
        int[] params = new int[1001];
        java.util.Arrays.fill(params, I32);
        refused(ModuleLoadException.Reason.LIMITS, "1001 parameters", module(section(TYPE, vec(funcType(params, new int[0])))));
    }

    @Test
    void twoBillionLocalsIn172KB() throws Throwable {
        // 43,000 groups of 50,000 i32 locals: 2.15e9 locals, each group 4 bytes
        int groups = 43_000;
        byte[] locals = cat(u32(groups), repeat(cat(u32(50_000), bytes(I32)), groups));
        byte[] wasm = module(section(TYPE, vec(funcType(new int[0], new int[0]))), section(FUNCTION, vec(u32(0))),
                section(CODE, vec(body(locals, new byte[0]))));
        assertTrue(wasm.length < 180_000);
        refused(ModuleLoadException.Reason.LIMITS, "locals (parameters included) in function 0", wasm);
    }

    @Test
    void localsArePerFunctionAndConfigurable() throws Throwable {
        byte[] wasm = WasmBytes.module(section(TYPE, vec(funcType(new int[] {I32, I32}, new int[] {I32}))),
                section(FUNCTION, vec(u32(0))), section(EXPORT, vec(export("run", 0, 0))),
                section(CODE, vec(body(cat(u32(1), u32(99), bytes(I32)), bytes(0x20, 0x00)))));
        // 2 parameters + 99 locals
        refused(ModuleLoadException.Reason.LIMITS, "has 101 locals", wasm, LoadLimits.builder().maxLocals(100).build());
        try (var p = corral.loader().limits(LoadLimits.builder().maxLocals(101).build()).load(wasm).instantiate()) {
            assertEquals(7, p.call("run", 7, 8).getInt(0));
        }
    }

    @Test
    void namesAndSegmentsLongerThanTheModule() throws Throwable {
        // Chicory sizes the array from the declared length before reading the bytes
        byte[] importName = module(section(IMPORT, u32(1), u32(Integer.MAX_VALUE)));
        refused(ModuleLoadException.Reason.MALFORMED, "import module name of 2147483647 bytes", importName);
        byte[] customName = module(bytes(0), u32(6), u32(0x7FFF_FFFFL), bytes(0));
        refused(ModuleLoadException.Reason.MALFORMED, "custom section name of 2147483647 bytes", customName);
        byte[] data = module(section(MEMORY, vec(bytes(0, 1))), section(DATA, u32(1), bytes(1), u32(2_000_000_000)));
        refused(ModuleLoadException.Reason.MALFORMED, "data segment of 2000000000 bytes", data);
        byte[] elements = module(section(WasmBytes.ELEMENT, u32(1), bytes(1, 0), u32(Integer.MAX_VALUE)));
        refused(ModuleLoadException.Reason.MALFORMED, "declares 2147483647 element segment items", elements);
    }

    @Test
    void aNameSectionBuiltToBeSlowIsDroppedNotParsed() throws Throwable {
        // 200,000 function names in descending order: Chicory's sorted insert would move ~2e10 entries
        int n = 200_000;
        var entries = new java.io.ByteArrayOutputStream();
        entries.writeBytes(u32(n));
        for (int i = n - 1; i >= 0; i--) {
            entries.writeBytes(u32(i));
            entries.writeBytes(name("f"));
        }
        byte[] sub = entries.toByteArray();
        byte[] names = cat(name("name"), bytes(1), u32(sub.length), sub);
        byte[] wasm = cat(WasmBytes.runModule(WasmBytes.i32Const(42)), bytes(0), u32(names.length), names);
        long start = System.nanoTime();
        try (var p = corral.load(wasm).instantiate()) {
            assertEquals(42, p.call("run").getInt(0));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 5_000, "loading took " + millis + " ms");
    }

    @Test
    void sectionsOutOfOrderOrTwice() throws Throwable {
        // found by the fuzz campaign: a second type section made the pre-validator index past its
        // own array (every section handler assumes one section of each kind, in order)
        byte[] types = section(TYPE, vec(funcType(new int[0], new int[0]), funcType(new int[0], new int[0])));
        refused(ModuleLoadException.Reason.MALFORMED, "section 1 appears twice", module(types, section(TYPE, vec(funcType(new int[0], new int[0])))));
        refused(ModuleLoadException.Reason.MALFORMED, "section 1 is out of order", module(section(FUNCTION, vec()), types));
    }

    @Test
    void moduleSize() throws Throwable {
        byte[] wasm = WasmBytes.runModule(WasmBytes.i32Const(1));
        refused(ModuleLoadException.Reason.LIMITS, "maxModuleSize", wasm, LoadLimits.builder().maxModuleSize(wasm.length - 1).build());
        assertEquals(1, corral.loader().limits(LoadLimits.builder().maxModuleSize(wasm.length).build()).load(wasm).instantiate()
                .call("run").getInt(0));
        // an engine's limits are every loader's default
        try (var small = Corral.builder().loadLimits(LoadLimits.builder().maxModuleSize(wasm.length - 1).build()).build()) {
            var e = assertThrows(ModuleLoadException.class, () -> small.load(wasm));
            assertEquals(ModuleLoadException.Reason.LIMITS, e.reason());
            assertEquals(1, small.loader().limits(LoadLimits.defaults()).load(wasm).instantiate().call("run").getInt(0));
        }
        assertThrows(IllegalArgumentException.class, () -> LoadLimits.builder().maxModuleSize(0));
        assertEquals(LoadLimits.defaults(), LoadLimits.defaults().toBuilder().build());
    }

    @Test
    void functionCount() throws Throwable {
        // the default plus one: each function is 4 bytes, so the module stays small
        int n = LoadLimits.DEFAULT_MAX_FUNCTIONS + 1;
        byte[] wasm = module(section(TYPE, vec(funcType(new int[0], new int[0]))), section(FUNCTION, u32(n), repeat(u32(0), n)),
                section(CODE, u32(n), repeat(body(noLocals(), new byte[0]), n)));
        refused(ModuleLoadException.Reason.LIMITS, "100001 functions", wasm);
        // imports count too
        byte[] imports = module(section(TYPE, vec(funcType(new int[0], new int[0]))),
                section(IMPORT, vec(cat(name("env"), name("a"), bytes(0), u32(0)), cat(name("env"), name("b"), bytes(0), u32(0)))),
                section(FUNCTION, vec(u32(0))), section(CODE, vec(body(noLocals(), new byte[0]))));
        refused(ModuleLoadException.Reason.LIMITS, "3 functions", imports, LoadLimits.builder().maxFunctions(2).build());
    }

    @Test
    void tablesMemoriesAndGlobalsPerModule() throws Throwable {
        byte[] tables = module(section(TABLE, u32(3), repeat(bytes(0x70, 0, 1), 3)));
        refused(ModuleLoadException.Reason.LIMITS, "3 tables", tables, LoadLimits.builder().maxTables(2).build());
        byte[] memories = module(section(MEMORY, u32(3), repeat(bytes(0, 0), 3)));
        refused(ModuleLoadException.Reason.LIMITS, "3 memories", memories, LoadLimits.builder().maxMemories(2).build());
        byte[] globals = module(section(GLOBAL, u32(3), repeat(cat(bytes(I32, 0), WasmBytes.i32Const(0), bytes(0x0B)), 3)));
        refused(ModuleLoadException.Reason.LIMITS, "3 globals", globals, LoadLimits.builder().maxGlobals(2).build());
        // the defaults: 20,000 tables of 10,000 elements each was a raw OutOfMemoryError
        byte[] manyTables = module(section(TABLE, u32(20_000), repeat(cat(bytes(0x70, 0), u32(10_000)), 20_000)));
        refused(ModuleLoadException.Reason.LIMITS, "20000 tables", manyTables);
    }

    @Test
    void functionSize() throws Throwable {
        byte[] code = repeat(bytes(0x01), 1000); // nops
        byte[] wasm = WasmBytes.runModule(cat(code, WasmBytes.i32Const(3)));
        refused(ModuleLoadException.Reason.LIMITS, "bytes of code in function 0", wasm, LoadLimits.builder().maxFunctionSize(1000).build());
        // a 1 MB br_table took over 15 minutes to compile
        int targets = 1_000_000;
        byte[] brTable = cat(bytes(0x02, 0x40), WasmBytes.i32Const(0), bytes(0x0E), u32(targets), new byte[targets], bytes(0, 0x0B),
                WasmBytes.i32Const(0));
        refused(ModuleLoadException.Reason.LIMITS, "maxFunctionSize", WasmBytes.runModule(brTable));
    }

    @Test
    void nestingDepth() throws Throwable {
        // 5 MB of nested ifs ran out of memory after 573 s
        int depth = 1_250_000;
        byte[] code = cat(repeat(cat(WasmBytes.i32Const(1), bytes(0x04, 0x40)), depth), repeat(bytes(0x0B), depth),
                WasmBytes.i32Const(0));
        refused(ModuleLoadException.Reason.LIMITS, "10001 nested blocks in function 0", WasmBytes.runModule(code),
                LoadLimits.builder().maxFunctionSize(8 << 20).build());
        byte[] shallow = cat(repeat(bytes(0x02, 0x40), 50), repeat(bytes(0x0B), 50), WasmBytes.i32Const(5));
        refused(ModuleLoadException.Reason.LIMITS, "nested blocks", WasmBytes.runModule(shallow), LoadLimits.builder().maxNestingDepth(50).build());
        assertEquals(5, corral.loader().limits(LoadLimits.builder().maxNestingDepth(51).build()).load(WasmBytes.runModule(shallow))
                .instantiate().call("run").getInt(0));
    }

    @Test
    void compileTime() throws Throwable {
        // a module that takes a while to load (a few hundred functions, a long body each) under a 1 ms budget
        int n = 300;
        byte[] code = cat(repeat(cat(WasmBytes.i32Const(1), bytes(0x1A)), 300));
        byte[] wasm = module(section(TYPE, vec(funcType(new int[0], new int[0]))), section(FUNCTION, u32(n), repeat(u32(0), n)),
                section(CODE, u32(n), repeat(body(noLocals(), code), n)));
        var tight = LoadLimits.builder().maxCompileTime(Duration.ofMillis(1)).build();
        for (ExecutionMode mode : ExecutionMode.values()) {
            long start = System.nanoTime();
            var e = assertThrows(ModuleLoadException.class, () -> corral.loader().executionMode(mode).limits(tight).load(wasm));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(ModuleLoadException.Reason.LIMITS, e.reason());
            assertTrue(e.getMessage().contains("took longer than 1 ms") && e.getMessage().contains("maxCompileTime"), e.getMessage());
            assertTrue(millis < 30_000, "took " + millis + " ms");
        }
        var generous = LoadLimits.builder().maxCompileTime(Duration.ofMinutes(5)).build();
        assertEquals(0, corral.loader().limits(generous).load(wasm).exports().size());
    }
}
