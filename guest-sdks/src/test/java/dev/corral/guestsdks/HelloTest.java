package dev.corral.guestsdks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.FunctionSignature;
import dev.corral.PluginPolicy;
import dev.corral.ValueType;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code hello} in every language: the ABI exports, any UTF-8, 1 MiB inputs, no grants needed. */
class HelloTest {
    private static Corral corral;

    @BeforeAll
    static void engine() {
        corral = Corral.create();
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void exportsTheAbiAndImportsNothing(String lang) {
        var module = corral.load(Examples.wasm(lang, "hello"));
        assertTrue(module.exportedFunction("corral_abi_v1").isPresent(), "version marker");
        var i32 = ValueType.I32;
        assertEquals(FunctionSignature.of(List.of(i32, i32, i32, i32), List.of(i32)), module.exportedFunction("cabi_realloc").orElseThrow());
        assertEquals(FunctionSignature.of(List.of(i32, i32), List.of(ValueType.I64)), module.exportedFunction("greet").orElseThrow());
        assertEquals(List.of(), module.imports(), "hello runs with nothing granted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void greetsAnyUtf8(String lang) {
        try (var plugin = Examples.instantiate(corral, lang, "hello", PluginPolicy.defaults())) {
            var greeter = plugin.as(Greeter.class);
            assertEquals("Hello, Corral!", greeter.greet("Corral"));
            assertEquals("Hello, !", greeter.greet(""));
            // 2-, 3- and 4-byte sequences, a NUL and a line break cross unchanged
            String mixed = "Grüße, 世界 🌍\u0000\nend";
            assertEquals("Hello, " + mixed + "!", greeter.greet(mixed));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void greetsOneMebibyteAgainAndAgain(String lang) {
        // 1 MiB of UTF-8 mixing 1- to 4-byte characters; ten calls on one instance show that
        // arguments and results are freed (a leaking guest would exhaust its 16 MiB)
        var sb = new StringBuilder();
        String[] parts = {"a", "é", "€", "𝄞", "xyz "};
        for (int i = 0; sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < (1 << 20); i++) {
            for (int j = 0; j < 4096; j++) {
                sb.append(parts[(i + j) % parts.length]);
            }
        }
        String big = sb.toString();
        assertTrue(big.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 1 << 20);
        try (var plugin = Examples.instantiate(corral, lang, "hello", PluginPolicy.builder().maxMemory(16 << 20).build())) {
            var greeter = plugin.as(Greeter.class);
            for (int i = 0; i < 10; i++) {
                String out = greeter.greet(big);
                assertEquals(big.length() + 8, out.length());
                assertEquals("Hello, " + big + "!", out);
            }
        }
    }
}
