package dev.corral.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.PluginPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** JSON-compatible values both ways: what goes in comes back, typed as documented. */
class JsValuesTest {
    private static JsPlugin js;

    @BeforeAll
    static void start() {
        js = Engines.compiled().plugin("values")
                .policy(PluginPolicy.builder().fuel(200_000_000).timeout(Duration.ofSeconds(30)).build())
                .script("function id(v) { return v; }\n"
                        + "function kind(v) { return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v; }\n"
                        + "function sum(...xs) { return xs.reduce((a, b) => a + b, 0); }\n"
                        + "function nothing() {}\n"
                        + "function make() { return {name: 'corral', n: 3, f: 1.5, ok: true, none: null, list: [1, 'two', [3]],"
                        + " nested: {deep: {er: 'x'}}, skipped: undefined, fn: function () {}}; }\n"
                        + "function big() { return 2 ** 40; }\n"
                        + "function huge() { return 1e300; }\n"
                        + "function special() { return [NaN, Infinity, -0]; }\n"
                        + "function length(s) { return s.length; }\n"
                        + "function codes(s) { return Array.from(s, c => c.codePointAt(0)); }\n")
                .build();
    }

    @AfterAll
    static void stop() {
        js.close();
    }

    @Test
    void primitivesRoundTrip() {
        assertEquals("hello", js.call("id", "hello"));
        assertEquals("", js.call("id", ""));
        assertEquals("c", js.call("id", 'c')); // a char is a one-character string, as in JSON
        assertEquals(42, js.call("id", 42));
        assertEquals(-7, js.call("id", -7L));
        assertEquals(1.5, js.call("id", 1.5));
        assertEquals(0.1f, ((Double) js.call("id", 0.1f)).floatValue());
        assertEquals(true, js.call("id", true));
        assertEquals(false, js.call("id", false));
        assertNull(js.call("id", (Object) null));
        assertNull(js.call("nothing"));
        assertEquals("string", js.call("kind", "s"));
        assertEquals("number", js.call("kind", 3));
        assertEquals("boolean", js.call("kind", true));
        assertEquals("null", js.call("kind", (Object) null));
        assertEquals(10, js.call("sum", 1, 2, 3, 4));
    }

    @Test
    void numbersKeepTheirJavaShape() {
        assertInstanceOf(Integer.class, js.call("id", 5));
        assertEquals(1L << 40, js.call("big"));
        assertInstanceOf(Long.class, js.call("big"));
        assertEquals(1e300, js.call("huge"));
        assertEquals(Arrays.asList(null, null, 0), js.call("special")); // JSON has no NaN/Infinity
        assertEquals(Double.POSITIVE_INFINITY, js.call("id", Double.POSITIVE_INFINITY)); // a plain number crosses as is
        assertTrue(((Double) js.call("id", Double.NaN)).isNaN());
        assertEquals((1L << 53), js.call("id", 1L << 53));
        var e = assertThrows(IllegalArgumentException.class, () -> js.call("id", (1L << 53) + 1));
        assertTrue(e.getMessage().contains("2^53"), e.getMessage());
    }

    @Test
    void unicodeCrossesExactly() {
        String s = "Grüße, 世界 🐄 \u0000 end";
        assertEquals(s, js.call("id", s));
        assertEquals(s.length(), js.call("length", s)); // UTF-16 code units on both sides
        assertEquals(List.of(0x1F404), js.call("codes", "🐄"));
        String lone = "a\uD800b"; // a lone surrogate: legal in both languages, lost by plain UTF-8
        assertEquals(lone, js.call("id", lone));
        assertEquals(List.of(lone), js.call("id", List.of(lone)));
    }

    @Test
    void listsAndMapsBothWays() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("a", 1);
        in.put("b", List.of("x", true, 2.5));
        in.put("c", Map.of("d", List.of()));
        in.put("nil", null);
        assertEquals(in, js.call("id", in));
        assertEquals("object", js.call("kind", in));
        assertEquals("array", js.call("kind", List.of(1, 2)));
        assertEquals(List.of(1, 2, 3), js.call("id", (Object) new int[] {1, 2, 3}));

        @SuppressWarnings("unchecked")
        var made = (Map<String, Object>) js.call("make");
        assertEquals(List.of("name", "n", "f", "ok", "none", "list", "nested"), new ArrayList<>(made.keySet())); // JS order, no undefined/functions
        assertEquals("corral", made.get("name"));
        assertEquals(3, made.get("n"));
        assertEquals(1.5, made.get("f"));
        assertEquals(true, made.get("ok"));
        assertNull(made.get("none"));
        assertEquals(List.of(1, "two", List.of(3)), made.get("list"));
        assertEquals(Map.of("deep", Map.of("er", "x")), made.get("nested"));
    }

    @Test
    void badArgumentsAreRefusedBeforeTheScriptRuns() {
        assertThrows(IllegalArgumentException.class, () -> js.call("id", new Object()));
        assertThrows(IllegalArgumentException.class, () -> js.call("id", Map.of(1, "x")));
        List<Object> self = new ArrayList<>();
        self.add(self);
        assertThrows(IllegalArgumentException.class, () -> js.call("id", self));
        assertThrows(IllegalArgumentException.class, () -> js.call("id", List.of(Double.NaN)));
        assertEquals("still fine", js.call("id", "still fine"));
    }

    @Test
    void resultsJsonCannotCarryAreJsExceptions() {
        var e = assertThrows(JsException.class, () -> js.eval("({ n: 1n })"));
        assertEquals("TypeError", e.jsName().orElseThrow());
        var cyclic = assertThrows(JsException.class, () -> js.eval("const o = {}; o.self = o; o"));
        assertEquals("TypeError", cyclic.jsName().orElseThrow());
        assertEquals(7, js.eval("3 + 4"));
    }

    @Test
    void bigValuesCross() {
        String big = "x".repeat(1 << 20);
        assertEquals(big.length(), js.call("length", big));
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            many.add(i);
        }
        assertEquals(many, js.call("id", many));
    }
}
