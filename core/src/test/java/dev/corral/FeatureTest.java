package dev.corral;

import static dev.corral.WasmBytes.CODE;
import static dev.corral.WasmBytes.EXPORT;
import static dev.corral.WasmBytes.FUNCTION;
import static dev.corral.WasmBytes.GLOBAL;
import static dev.corral.WasmBytes.I32;
import static dev.corral.WasmBytes.TABLE;
import static dev.corral.WasmBytes.TAG;
import static dev.corral.WasmBytes.TYPE;
import static dev.corral.WasmBytes.body;
import static dev.corral.WasmBytes.bytes;
import static dev.corral.WasmBytes.cat;
import static dev.corral.WasmBytes.export;
import static dev.corral.WasmBytes.funcType;
import static dev.corral.WasmBytes.i32Const;
import static dev.corral.WasmBytes.module;
import static dev.corral.WasmBytes.noLocals;
import static dev.corral.WasmBytes.section;
import static dev.corral.WasmBytes.u32;
import static dev.corral.WasmBytes.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, items 4 and 15: proposals Corral cannot bound (GC) or Chicory cannot run (SIMD,
 * memory64, blocking waits) are refused at load with a ModuleLoadException naming the feature,
 * never a raw OutOfMemoryError or a generic runtime failure at call time.
 */
class FeatureTest {
    /** Types: 0 = (array (mut i64)), 1 = () -> i32. */
    private static final byte[] ARRAY_TYPES = section(TYPE, vec(bytes(0x5E, 0x7E, 0x01), funcType(new int[0], new int[] {I32})));

    /** A global initialized with a 100M-element array (800 MB): a raw OutOfMemoryError at instantiation before. */
    static byte[] gcArrayInGlobalInitializer() {
        byte[] global = cat(bytes(0x63, 0x00, 0x01), i32Const(100_000_000), bytes(0xFB, 0x07, 0x00, 0x0B)); // array.new_default 0
        return module(ARRAY_TYPES, section(FUNCTION, vec(u32(1))), section(GLOBAL, vec(global)),
                section(EXPORT, vec(export("run", 0, 0))),
                section(CODE, vec(body(noLocals(), bytes(0x23, 0x00, 0xFB, 0x0F))))); // global.get 0, array.len
    }

    /**
     * A linked list grown in a loop, each node a struct kept alive from a global: grows the heap
     * without bound across calls (and Chicory's recursive GC marking broke on 200k nodes).
     */
    static byte[] gcListInALoop(int nodes) {
        byte[] types = section(TYPE, vec(bytes(0x5F, 0x01, 0x63, 0x00, 0x00), funcType(new int[0], new int[] {I32})));
        byte[] global = bytes(0x63, 0x00, 0x01, 0xD0, 0x00, 0x0B); // (mut (ref null 0)) = ref.null 0
        byte[] loop = cat(i32Const(nodes), bytes(0x21, 0x00), // local.set $n
                bytes(0x03, 0x40, 0x23, 0x00, 0xFB, 0x00, 0x00, 0x24, 0x00), // loop: global.set (struct.new 0 (global.get 0))
                bytes(0x20, 0x00), i32Const(1), bytes(0x6B, 0x22, 0x00, 0x0D, 0x00, 0x0B), // br_if (local.tee $n (n - 1))
                i32Const(nodes));
        return module(types, section(FUNCTION, vec(u32(1))), section(GLOBAL, vec(global)),
                section(EXPORT, vec(export("run", 0, 0))), section(CODE, vec(body(cat(u32(1), u32(1), bytes(I32)), loop))));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void gcIsRefusedByDefaultBeforeAnythingIsAllocated(ExecutionMode mode) throws Throwable {
        try (var corral = Fixtures.engine(mode)) {
            for (byte[] wasm : new byte[][] {gcArrayInGlobalInitializer(), gcListInALoop(200_000)}) {
                ModuleLoadException[] e = new ModuleLoadException[1];
                long heap = Heap.allocatedBy(() -> e[0] = assertThrows(ModuleLoadException.class, () -> corral.load(wasm)));
                assertEquals(ModuleLoadException.Reason.UNSUPPORTED, e[0].reason());
                assertTrue(e[0].getMessage().contains("uses GC (garbage-collected structs and arrays)")
                        && e[0].getMessage().contains("ModuleLoader.enable(WasmFeature.GC)"), e[0].getMessage());
                assertTrue(heap < 4 << 20, "refusing allocated " + heap + " bytes");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void gcRunsWhenEnabledForATrustedModule(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            try (var p = corral.loader().enable(WasmFeature.GC).load(gcListInALoop(1_000)).instantiate()) {
                assertEquals(1_000, p.call("run").getInt(0));
            }
            try (var gcEngine = Corral.builder().executionMode(mode).enable(WasmFeature.GC).build();
                    var p = gcEngine.load(gcListInALoop(10)).instantiate()) {
                assertEquals(10, p.call("run").getInt(0));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void proposalsTheRuntimeCannotRunAreRefusedByName(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var simd = assertThrows(ModuleLoadException.class, () -> corral.load(Fixtures.wasm("feature_simd")));
            assertEquals(ModuleLoadException.Reason.UNSUPPORTED, simd.reason());
            assertTrue(simd.getMessage().contains("uses SIMD (v128)") && simd.getMessage().contains("Corral cannot run it"),
                    simd.getMessage());
            var m64 = assertThrows(ModuleLoadException.class, () -> corral.load(Fixtures.wasm("feature_memory64")));
            assertEquals(ModuleLoadException.Reason.UNSUPPORTED, m64.reason());
            assertTrue(m64.getMessage().contains("uses memory64"), m64.getMessage());
            var wait = assertThrows(ModuleLoadException.class, () -> corral.load(Fixtures.wasm("feature_atomic_wait")));
            assertEquals(ModuleLoadException.Reason.UNSUPPORTED, wait.reason());
            assertTrue(wait.getMessage().contains("memory.atomic.wait"), wait.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Corral.builder().enable(WasmFeature.SIMD));
        try (var corral = Corral.create()) {
            assertThrows(IllegalArgumentException.class, () -> corral.loader().enable(WasmFeature.MEMORY64));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void atomicsRunAndAnUnalignedOneTraps(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("feature_atomics")).instantiate()) {
            assertEquals(5, p.call("add", 5).getInt(0));
            var e = assertThrows(TrapException.class, () -> p.call("unaligned"));
            assertEquals(TrapException.Kind.UNALIGNED_ATOMIC, e.kind());
            assertEquals(8, p.call("add", 3).getInt(0)); // still usable
        }
    }

    @Test
    void featuresCanBeTurnedOffPerLoaderOrEngine() {
        byte[] tail = Fixtures.wasm("loops"); // has return_call
        byte[] exceptions = exceptionModule();
        try (var corral = Corral.create()) {
            assertEquals(42, corral.load(exceptions).instantiate().call("run").getInt(0));
            corral.load(tail).instantiate().close();
            var e = assertThrows(ModuleLoadException.class, () -> corral.loader().disable(WasmFeature.TAIL_CALLS).load(tail));
            assertTrue(e.getMessage().contains("uses tail calls (return_call"), e.getMessage());
            e = assertThrows(ModuleLoadException.class, () -> corral.loader().disable(WasmFeature.EXCEPTIONS).load(exceptions));
            assertTrue(e.getMessage().contains("uses exception handling"), e.getMessage());
        }
        try (var corral = Corral.builder().disable(WasmFeature.MULTI_MEMORY).build()) {
            var e = assertThrows(ModuleLoadException.class, () -> corral.load(Fixtures.wasm("multi_memory")));
            assertEquals(ModuleLoadException.Reason.UNSUPPORTED, e.reason());
            assertTrue(e.getMessage().contains("uses multi-memory"), e.getMessage());
            // a loader of this engine can turn it back on
            corral.loader().enable(WasmFeature.MULTI_MEMORY).load(Fixtures.wasm("multi_memory"));
        }
        assertEquals(EnumSet.of(WasmFeature.THREADS, WasmFeature.MULTI_MEMORY, WasmFeature.TAIL_CALLS, WasmFeature.EXCEPTIONS),
                WasmFeature.DEFAULTS);
    }

    /** try_table catching a thrown tag: {@code block (result i32) try_table (catch 0 0) i32.const 42 throw 0 end i32.const 0 end}. */
    private static byte[] exceptionModule() {
        byte[] code = cat(bytes(0x02, I32, 0x1F, 0x40), u32(1), bytes(0x00, 0x00, 0x00), i32Const(42), bytes(0x08, 0x00, 0x0B),
                i32Const(0), bytes(0x0B));
        return module(section(TYPE, vec(funcType(new int[0], new int[] {I32}), funcType(new int[] {I32}, new int[0]))),
                section(FUNCTION, vec(u32(0))), section(TAG, vec(bytes(0x00, 0x01))), section(EXPORT, vec(export("run", 0, 0))),
                section(CODE, vec(body(noLocals(), code))));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void indicesChicorysValidatorMissesAreInvalidAtLoad(ExecutionMode mode) {
        byte[] oneTable = section(TABLE, vec(bytes(0x70, 0x00, 0x01)));
        // table.size 3 with one table: passed Chicory's validation and failed "inside the runtime" when called
        byte[] tableSize = WasmBytes.runModule(bytes(0xFC, 0x10, 0x03), oneTable);
        // an export of table 3: failed at instantiation
        byte[] exportTable = module(section(TYPE, vec(funcType(new int[0], new int[] {I32}))), section(FUNCTION, vec(u32(0))),
                oneTable, section(EXPORT, vec(export("run", 0, 0), export("t", 1, 3))), section(CODE, vec(body(noLocals(), i32Const(7)))));
        try (var corral = Fixtures.engine(mode)) {
            for (byte[] wasm : new byte[][] {tableSize, exportTable}) {
                var e = assertThrows(ModuleLoadException.class, () -> corral.load(wasm));
                assertEquals(ModuleLoadException.Reason.INVALID, e.reason());
                assertTrue(e.getMessage().contains("refers to table 3, but the module has 1 tables"), e.getMessage());
            }
        }
    }
}
