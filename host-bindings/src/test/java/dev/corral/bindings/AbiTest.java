package dev.corral.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.FunctionSignature;
import dev.corral.HostFunctionException;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.ValueType;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runtime half of the ABI, driven by a hand-written host function as generated code would be. */
class AbiTest {
    private static Corral corral;

    @BeforeAll
    static void engine() {
        corral = Corral.create();
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    private static PluginModule load(String name) throws IOException {
        try (var in = AbiTest.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            return corral.load(in);
        }
    }

    private static HostModuleDef hello(String result) {
        var sig = FunctionSignature.of(List.of(), List.of(ValueType.I64));
        return HostModuleDef.of("t", List.of(HostFunctionDef.of("t", "hello", sig, (ctx, a) -> new long[] {Abi.returnString(ctx, result)})));
    }

    @Test
    void packKeepsUnsignedPointersAndLengths() {
        for (int ptr : new int[] {0, 1, 65536, Integer.MAX_VALUE, -16, -1}) {
            for (int len : new int[] {0, 7, Integer.MAX_VALUE, -1}) {
                long packed = Abi.pack(ptr, len);
                assertEquals(ptr, Abi.ptr(packed));
                assertEquals(len, Abi.len(packed));
            }
        }
        assertEquals(0x0000_0040_0000_0005L, Abi.pack(64, 5));
    }

    @Test
    void aResultIsWrittenThroughTheGuestsAllocator() throws IOException {
        var p = load("good_allocator").instantiate(PluginPolicy.builder().hostModule(hello("héllo")).build());
        long packed = p.function("run").callRaw()[0];
        assertEquals(64, Abi.ptr(packed));
        assertEquals(6, Abi.len(packed));
        assertEquals("héllo", p.memory().readString(64, 6));
        // empty results allocate nothing
        var q = load("good_allocator").instantiate(PluginPolicy.builder().hostModule(hello("")).build());
        assertEquals(0L, q.function("run").callRaw()[0]);
    }

    @Test
    void aMissingOrMistypedAllocatorIsAnAbiError() throws IOException {
        var policy = PluginPolicy.builder().hostModule(hello("x")).build();
        var e = assertThrows(AbiException.class, () -> load("no_allocator").instantiate(policy).function("run").callRaw());
        assertTrue(e.getMessage().contains("exports no cabi_realloc"), e.getMessage());
        e = assertThrows(AbiException.class, () -> load("bad_allocator").instantiate(policy).function("run").callRaw());
        assertTrue(e.getMessage().contains("(i32, i32, i32, i64) -> (i32)"), e.getMessage());
    }

    @Test
    void aNullResultIsAHostFunctionError() throws IOException {
        var p = load("good_allocator").instantiate(PluginPolicy.builder().hostModule(hello(null)).build());
        var e = assertThrows(HostFunctionException.class, () -> p.function("run").callRaw());
        assertEquals("t.hello", e.function());
        assertInstanceOf(NullPointerException.class, e.getCause());
    }

    @Test
    void versionCheckOnlyForPluginsImportingPointerFunctions() throws IOException {
        var m = load("good_allocator");
        Abi.requireVersion(m);
        Abi.checkImports(m, "t", Set.of("hello"));
        Abi.checkImports(m, "other", Set.of("hello"));
    }
}
