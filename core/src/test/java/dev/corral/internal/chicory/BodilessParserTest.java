package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The warm-start parse: the same module as Chicory's, but for the bodies it was told to skip. */
class BodilessParserTest {
    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = BodilessParserTest.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"traps", "memory", "tables", "split_shapes", "multi_table", "all_wasi", "fuel_loops"})
    void sameModuleButTheSkippedBodies(String name) throws IOException {
        byte[] wasm = fixture(name);
        WasmModule full = ChicoryModuleLoader.parse(name, wasm);
        int imports = full.importSection().count(com.dylibso.chicory.wasm.types.ExternalType.FUNCTION);
        int kept = imports + full.functionSection().functionCount() - 1; // keep the last body only
        String digest = ChicoryModuleLoader.digest(ChicoryModuleLoader.sha256(wasm));
        assertEquals(full.digest(), digest, "our digest is Chicory's: the key the classes are cached under");

        WasmModule m = BodilessParser.parse(wasm, Set.of(kept), digest);
        assertEquals(digest, m.digest());
        assertEquals(full.functionSection().functionCount(), m.codeSection().functionBodyCount());
        for (int i = 0; i < m.codeSection().functionBodyCount(); i++) {
            FunctionBody body = m.codeSection().getFunctionBody(i);
            if (imports + i == kept) {
                assertSameBody(full.codeSection().getFunctionBody(i), body);
            } else {
                assertEquals(List.of(), body.localTypes());
                assertEquals(List.of(OpCode.UNREACHABLE, OpCode.END), body.instructions().stream().map(in -> in.opcode()).toList());
            }
        }
        assertEquals(full.typeSection().subTypeCount(), m.typeSection().subTypeCount());
        assertEquals(full.importSection().importCount(), m.importSection().importCount());
        assertEquals(full.exportSection().exportCount(), m.exportSection().exportCount());
        assertEquals(full.globalSection().globalCount(), m.globalSection().globalCount());
        assertEquals(full.tableSection().tableCount(), m.tableSection().tableCount());
        assertEquals(full.elementSection().elementCount(), m.elementSection().elementCount());
        assertEquals(full.dataSection().dataSegmentCount(), m.dataSection().dataSegmentCount());
        assertEquals(full.startSection().isPresent(), m.startSection().isPresent());
        assertEquals(full.nameSection() == null, m.nameSection() == null);

        WasmModule i = BodilessParser.parseInterface(wasm, digest);
        assertEquals(full.exportSection().exportCount(), i.exportSection().exportCount());
        assertEquals(full.importSection().importCount(), i.importSection().importCount());
        assertEquals(full.functionSection().functionCount(), i.codeSection().functionBodyCount());
        assertEquals(0, i.dataSection().dataSegmentCount());
        // names stay: a split module's traps name the original's functions (ChicoryModule.Shape)
        assertEquals(full.nameSection() == null, i.nameSection() == null);
        if (full.nameSection() != null) {
            for (int f = 0; f < full.functionSection().functionCount(); f++) {
                assertEquals(full.nameSection().nameOfFunction(f), i.nameSection().nameOfFunction(f));
            }
        }
    }

    private static void assertSameBody(FunctionBody expected, FunctionBody actual) {
        assertEquals(expected.localTypes(), actual.localTypes());
        assertEquals(expected.instructions().size(), actual.instructions().size());
        for (int k = 0; k < expected.instructions().size(); k++) {
            var a = expected.instructions().get(k);
            var b = actual.instructions().get(k);
            assertEquals(a.opcode(), b.opcode());
            assertEquals(java.util.Arrays.toString(a.operands()), java.util.Arrays.toString(b.operands()));
            assertEquals(a.depth(), b.depth());
        }
    }
}
