package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parse-only answers: exports, imports, entry points and code size before anything is compiled. */
class ModuleInfoTest {
    @Test
    void inspectingCompilesNothingAndCompileGoesOnFromTheParse() {
        try (var corral = Corral.create()) {
            var info = corral.loader().name("arith").inspect(Fixtures.wasm("arith"));
            assertEquals(0, corral.stats().compilations());
            assertEquals(0, corral.stats().modulesLoaded());
            assertTrue(info.exportedFunction("fib").isPresent());
            assertTrue(info.exportedFunction("_start").isEmpty());
            assertTrue(info.functionCount() > 0 && info.largestFunctionBytes() > 0);
            var module = info.compile();
            assertSame(module, info.compile());
            assertEquals(1, corral.stats().compilations());
            assertEquals(1, corral.stats().modulesLoaded());
            assertEquals(info.exports(), module.exports());
            assertEquals(6765, module.instantiate().call("fib", 20).getInt(0));
            assertEquals(List.of(), module.compileFacts().interpretedFunctions());
        }
    }

    @Test
    void badBytesFailAtInspectionWithTheLoadErrors() {
        try (var corral = Corral.create()) {
            var e = assertThrows(ModuleLoadException.class, () -> corral.loader().inspect(new byte[] {0, 'a', 's', 'm', 9}));
            assertTrue(e.reason() == ModuleLoadException.Reason.MALFORMED, e.toString());
            assertThrows(ModuleLoadException.class, () -> corral.loader().sha256("00".repeat(32)).inspect(Fixtures.wasm("arith")));
        }
    }
}
