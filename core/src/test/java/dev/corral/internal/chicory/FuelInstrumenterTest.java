package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.FuelExhaustedException;
import dev.corral.ModuleLoadException;
import dev.corral.PluginPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class FuelInstrumenterTest {
    static Stream<Path> fixtures() throws Exception {
        Path dir = Path.of(FuelInstrumenterTest.class.getResource("/wasm").toURI());
        List<Path> all = new ArrayList<>();
        try (var s = Files.list(dir)) {
            // only what a load accepts reaches the instrumenter (feature_*.wat are refused at load)
            s.filter(p -> p.toString().endsWith(".wasm") && loadable(p)).sorted().forEach(all::add);
        }
        assertTrue(all.size() >= 5, "fixtures found: " + all);
        return all.stream();
    }

    /**
     * A fixture's bytes as a load hands them on: without tail calls ({@link TailCalls}). Chicory's
     * compiler fails on some raw tail calls a load never leaves (tail_calls.wat).
     */
    static byte[] asLoaded(Path fixture) throws IOException {
        byte[] raw = Files.readAllBytes(fixture);
        return TailCalls.rewrite(raw, ChicoryModuleLoader.parse("t", raw));
    }

    private static boolean loadable(Path p) {
        try {
            ModuleScanner.scan("t", Files.readAllBytes(p), dev.corral.LoadLimits.defaults(), dev.corral.WasmFeature.DEFAULTS);
            return true;
        } catch (dev.corral.ModuleLoadException e) {
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void instrumentedModulesValidateAndKeepTheirIndexSpaces(Path fixture) throws IOException {
        byte[] bytes = Files.readAllBytes(fixture);
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        if (hasExport(original, FuelInstrumenter.FUEL_EXPORT)) {
            return; // the reserved-name fixture, see reservedExportNameIsRefused
        }
        var r = FuelInstrumenter.instrument(bytes, original);
        WasmModule m = ChicoryModuleLoader.parse("t", r.bytes()); // validates

        int importedGlobals = original.importSection().count(ExternalType.GLOBAL);
        int definedGlobals = original.globalSection().globalCount();
        assertEquals(importedGlobals + definedGlobals, r.fuelGlobalIndex());
        assertEquals(definedGlobals + 3, r.definedGlobalCount());
        assertEquals(definedGlobals + 3, m.globalSection().globalCount());
        for (int g = definedGlobals; g < definedGlobals + 2; g++) { // the fuel, then its reserve
            var fuel = m.globalSection().getGlobal(g);
            assertEquals(ValType.I64, fuel.valueType());
            assertEquals(MutabilityType.Var, fuel.mutabilityType());
        }
        var depth = m.globalSection().getGlobal(definedGlobals + 2); // then the call depth (CallDepth)
        assertEquals(ValType.I32, depth.valueType());
        assertEquals(MutabilityType.Var, depth.mutabilityType());

        // every original export keeps its name, kind and index; the fuel global is added last
        var oe = original.exportSection();
        var ne = m.exportSection();
        assertEquals(oe.exportCount() + 1, ne.exportCount());
        for (int i = 0; i < oe.exportCount(); i++) {
            assertEquals(oe.getExport(i).name(), ne.getExport(i).name());
            assertEquals(oe.getExport(i).exportType(), ne.getExport(i).exportType());
            assertEquals(oe.getExport(i).index(), ne.getExport(i).index());
        }
        var last = ne.getExport(oe.exportCount());
        assertEquals(FuelInstrumenter.FUEL_EXPORT, last.name());
        assertEquals(ExternalType.GLOBAL, last.exportType());
        assertEquals(r.fuelGlobalIndex(), last.index());

        // the module's own functions keep their indices and types (as wrappers of their fuel-passing
        // clones); helpers and clones only come after them
        int own = original.functionSection().functionCount();
        assertTrue(m.functionSection().functionCount() >= own);
        assertTrue(m.functionSection().functionCount() <= 2 * own + 1 + FuelCode.Helper.values().length);
        for (int i = 0; i < own; i++) {
            assertEquals(original.functionSection().getFunctionType(i, original.typeSection()),
                    m.functionSection().getFunctionType(i, m.typeSection()));
        }
        assertEquals(original.importSection().importCount(), m.importSection().importCount());
        assertEquals(original.elementSection().elementCount(), m.elementSection().elementCount());
        for (int i = 0; i < original.elementSection().elementCount(); i++) {
            assertEquals(describe(original.elementSection().getElement(i)), describe(m.elementSection().getElement(i)));
        }
        assertEquals(original.startSection().map(s -> s.startIndex()), m.startSection().map(s -> s.startIndex()));
        // deterministic: the same input always gives the same bytes (and hits the same compile cache entry)
        assertArrayEquals(r.bytes(), FuelInstrumenter.instrument(bytes, original).bytes());
    }

    /** An element segment's initializers without instruction addresses (which move with the sections). */
    private static String describe(com.dylibso.chicory.wasm.types.Element e) {
        var sb = new StringBuilder(e.getClass().getSimpleName());
        for (var init : e.initializers()) {
            for (var ins : init) {
                sb.append(' ').append(ins.opcode()).append(java.util.Arrays.toString(ins.operands()));
            }
        }
        return sb.toString();
    }

    static boolean hasExport(WasmModule m, String name) {
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            if (m.exportSection().getExport(i).name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void missingGlobalAndExportSectionsAreCreatedInOrder() throws Exception {
        byte[] bytes = FuelInstrumenterTest.class.getResourceAsStream("/wasm/fuel_bare.wasm").readAllBytes();
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        assertEquals(0, original.globalSection().globalCount());
        assertEquals(0, original.exportSection().exportCount());
        var r = FuelInstrumenter.instrument(bytes, original);
        WasmModule m = ChicoryModuleLoader.parse("t", r.bytes());
        assertEquals(3, m.globalSection().globalCount());
        assertEquals(0, r.fuelGlobalIndex());
        assertEquals(FuelInstrumenter.FUEL_EXPORT, m.exportSection().getExport(0).name());
        // $f and $g keep indices 0 and 1, the refill helper is 2, the memory.grow helper 3, and
        // both get fuel-passing clones, 4 and 5 (each original becomes its clone's wrapper)
        assertEquals(6, m.functionSection().functionCount());
        assertEquals(java.util.Map.of(4, 0, 5, 1), r.clones());
        try (var corral = Corral.create()) {
            var p = corral.load(bytes).instantiate(PluginPolicy.builder().fuel(100_000).build());
            assertTrue(p.fuelConsumed() > 0, "the start function was metered");
        }
    }

    @Test
    void reservedExportNameIsRefused() throws Exception {
        try (var corral = Corral.create()) {
            var m = corral.load(FuelInstrumenterTest.class.getResourceAsStream("/wasm/fuel_reserved.wasm"));
            assertEquals(1, m.instantiate().call("f").getInt(0), "unmetered, the name is just a name");
            var e = assertThrows(ModuleLoadException.class, () -> m.instantiate(PluginPolicy.builder().fuel(10).build()));
            assertEquals(ModuleLoadException.Reason.UNSUPPORTED, e.reason());
            assertTrue(e.getMessage().contains("__corral_fuel"), e.getMessage());
        }
    }

    /**
     * try_table is in Chicory 1.7.5 but not in this machine's wabt 1.0.32 or binaryen 108 text
     * formats, so this module is assembled here, byte by byte:
     *
     * <pre>
     * (type 0 (func (param i32)))  (type 1 (func (param i32) (result i32)))  (type 2 (func (result i32)))
     * (tag 0 (type 0))
     * (func 0 (type 0) local.get 0 throw 0)
     * (func 1 "catch" (type 1) block (result i32) try_table (catch 0 0) local.get 0 call 0 end i32.const -1 end
     *                          i32.const 1 i32.add)
     * (func 2 "spin" (type 2) loop try_table (catch_all 0) i32.const 1 call 0 end end i32.const 0)
     * </pre>
     * "spin" loops forever through exceptions: its catch_all branches back to the loop head.
     * Chicory 1.7.5's interpreter uses JVM stack for every caught exception of such a loop (it
     * overflows after a few thousand iterations, metered or not), so the budgets here stay small.
     */
    static final byte[] TRY_TABLE = {
        0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x0E, 0x03, 0x60, 0x01, 0x7F, 0x00, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x60, 0x00, 0x01, 0x7F,
        0x03, 0x04, 0x03, 0x00, 0x01, 0x02,
        0x0D, 0x03, 0x01, 0x00, 0x00,
        0x07, 0x10, 0x02, 0x05, 'c', 'a', 't', 'c', 'h', 0x00, 0x01, 0x04, 's', 'p', 'i', 'n', 0x00, 0x02,
        0x0A, 0x30, 0x03,
        0x06, 0x00, 0x20, 0x00, 0x08, 0x00, 0x0B,
        0x15, 0x00, 0x02, 0x7F, 0x1F, 0x40, 0x01, 0x00, 0x00, 0x00, 0x20, 0x00, 0x10, 0x00, 0x0B, 0x41, 0x7F, 0x0B,
        0x41, 0x01, 0x6A, 0x0B,
        0x11, 0x00, 0x03, 0x40, 0x1F, 0x40, 0x01, 0x02, 0x00, 0x41, 0x01, 0x10, 0x00, 0x0B, 0x0B, 0x41, 0x00, 0x0B,
    };

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void exceptionHandlingIsMeteredAndBehavesTheSame(ExecutionMode mode) {
        long[] used = new long[1];
        try (var corral = Corral.builder().executionMode(mode).build()) {
            var m = corral.load(TRY_TABLE);
            assertEquals(6, m.instantiate().call("catch", 5).getInt(0));
            var p = m.instantiate(PluginPolicy.builder().fuel(1_000).build());
            assertEquals(6, p.call("catch", 5).getInt(0));
            var e = assertThrows(FuelExhaustedException.class, () -> p.call("spin"));
            used[0] = e.fuelUsed();
        }
        assertTrue(used[0] > 1_000);
    }

    @Test
    void exceptionLoopsUseTheSameFuelInBothModes() {
        long[] used = new long[2];
        for (var mode : ExecutionMode.values()) {
            try (var corral = Corral.builder().executionMode(mode).build()) {
                var p = corral.load(TRY_TABLE).instantiate(PluginPolicy.builder().fuel(1_000).build());
                used[mode.ordinal()] = assertThrows(FuelExhaustedException.class, () -> p.call("spin")).fuelUsed();
            }
        }
        assertEquals(used[0], used[1]);
    }
}
