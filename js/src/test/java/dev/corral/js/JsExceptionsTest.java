package dev.corral.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.CorralException;
import dev.corral.PluginPolicy;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Uncaught JavaScript exceptions reach the host typed, with the JavaScript message and stack. */
class JsExceptionsTest {
    private static JsPlugin js;

    @BeforeAll
    static void start() {
        js = Engines.compiled().plugin("thrower")
                .policy(PluginPolicy.builder().fuel(20_000_000).timeout(Duration.ofSeconds(30)).build())
                .script("script.js", "var calls = 0;\n"
                        + "function inner(x) {\n"
                        + "  calls++;\n"
                        + "  if (x < 0) throw new RangeError('negative: ' + x);\n"
                        + "  return x;\n"
                        + "}\n"
                        + "function outer(x) { return inner(x) * 2; }\n"
                        + "function typeError() { return null.property; }\n"
                        + "function throwString() { throw 'just a string'; }\n"
                        + "function throwObject() { throw {code: 42}; }\n"
                        + "function custom() { class GameError extends Error { constructor(m) { super(m); this.name = 'GameError'; } }"
                        + " throw new GameError('bad move'); }\n"
                        + "function count() { return calls; }\n"
                        + "async function later(x) { await null; if (x) throw new Error('async ' + x); return 'done'; }\n"
                        + "function never() { return new Promise(() => {}); }\n")
                .build();
    }

    @AfterAll
    static void stop() {
        js.close();
    }

    @Test
    void thrownErrorsCarryNameMessageAndStack() {
        var e = assertThrows(JsException.class, () -> js.call("outer", -3));
        assertEquals("RangeError", e.jsName().orElseThrow());
        assertEquals("negative: -3", e.jsMessage());
        assertEquals(JsException.Kind.THROWN, e.kind());
        assertEquals("thrower", e.pluginName());
        assertTrue(e.jsStack().contains("at inner (script.js:4"), e.jsStack());
        assertTrue(e.jsStack().contains("at outer (script.js:7"), e.jsStack());
        assertTrue(e.getMessage().startsWith("JavaScript plugin 'thrower' threw RangeError: negative: -3"), e.getMessage());
        assertTrue(e instanceof CorralException);
    }

    @Test
    void engineErrorsAndNonErrorValues() {
        var te = assertThrows(JsException.class, () -> js.call("typeError"));
        assertEquals("TypeError", te.jsName().orElseThrow());
        assertTrue(te.jsMessage().contains("null"), te.jsMessage());

        var s = assertThrows(JsException.class, () -> js.call("throwString"));
        assertTrue(s.jsName().isEmpty());
        assertEquals("just a string", s.jsMessage());

        var o = assertThrows(JsException.class, () -> js.call("throwObject"));
        assertEquals("{\"code\":42}", o.jsMessage());

        var c = assertThrows(JsException.class, () -> js.call("custom"));
        assertEquals("GameError", c.jsName().orElseThrow());
        assertEquals("bad move", c.jsMessage());

        var missing = assertThrows(JsException.class, () -> js.call("noSuchFunction"));
        assertEquals("TypeError", missing.jsName().orElseThrow());
        assertTrue(missing.jsMessage().contains("noSuchFunction"));
        assertFalse(js.hasFunction("noSuchFunction"));
        assertTrue(js.hasFunction("outer"));
    }

    @Test
    void aJsExceptionKeepsTheScriptsState() {
        int before = (Integer) js.call("count");
        assertThrows(JsException.class, () -> js.call("outer", -1));
        assertEquals(before + 1, js.call("count")); // the failed call's side effect is still there: no reset
        assertEquals(10, js.call("outer", 5));
    }

    @Test
    void asyncFunctionsSettleWithinTheCallAndRejectionsAreNotLost() {
        // the completion value is taken before the jobs run; the jobs have run when the call returns
        assertEquals("pending", js.eval("let settled; later(0).then(v => settled = v); settled === undefined ? 'pending' : 'early'"));
        assertEquals("done", js.eval("settled"));
        js.eval("let failure; later(1).catch(e => failure = e.message);");
        assertEquals("async 1", js.eval("failure"));
    }

    @Test
    void anAsyncFunctionsResultIsAwaitedAndItsRejectionThrown() {
        assertEquals("done", js.call("later", 0));
        var e = assertThrows(JsException.class, () -> js.call("later", 7));
        assertEquals("Error", e.jsName().orElseThrow());
        assertEquals("async 7", e.jsMessage());
        assertEquals(null, js.call("never")); // a promise that never settles: undefined
    }

    @Test
    void syntaxAndTopLevelErrorsFailTheBuild() {
        var syntax = assertThrows(JsException.class, () -> Engines.compiled().plugin("broken")
                .policy(PluginPolicy.builder().fuel(20_000_000).build()).script("function ( {").build());
        assertEquals("SyntaxError", syntax.jsName().orElseThrow());
        var top = assertThrows(JsException.class, () -> Engines.compiled().plugin("broken")
                .policy(PluginPolicy.builder().fuel(20_000_000).build()).script("throw new Error('no start')").build());
        assertEquals("no start", top.jsMessage());
    }
}
