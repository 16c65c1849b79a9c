package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.LoadLimits;
import dev.corral.WasmFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the pre-validator reads from a module: the counts it checks and the proposals it names. */
class ModuleScannerTest {
    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ModuleScannerTest.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            return in.readAllBytes();
        }
    }

    private static ModuleScanner.Facts scan(String name) throws IOException {
        return ModuleScanner.scan(name, fixture(name), LoadLimits.defaults(), WasmFeature.DEFAULTS);
    }

    @Test
    void countsAndFeatures() throws IOException {
        var depth = scan("call_depth");
        assertEquals(641, depth.maxLocals()); // big: one parameter and 640 locals
        assertEquals(1, depth.importedFunctions());
        assertEquals(7, depth.functions()); // the import, nest, rec_forever, nest_indirect, boom, via_host, big
        assertEquals(1, depth.tables());
        assertEquals(Set.of(), depth.features());

        var memories = scan("multi_memory");
        assertEquals(2, memories.memories());
        assertEquals(Set.of(WasmFeature.MULTI_MEMORY), memories.features());

        assertEquals(Set.of(WasmFeature.TAIL_CALLS), scan("tail_calls").features());
        assertEquals(Set.of(WasmFeature.THREADS), scan("feature_atomics").features());

        var loops = scan("loops");
        assertTrue(loops.maxNesting() >= 3, "nesting " + loops.maxNesting());
        assertTrue(loops.instructions() > 20, "instructions " + loops.instructions());
    }
}
