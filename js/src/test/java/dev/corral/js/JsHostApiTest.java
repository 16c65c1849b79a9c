package dev.corral.js;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.PluginPolicy;
import dev.corral.spi.HostContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A Java interface offered to JavaScript as a global object, with checked arguments. */
class JsHostApiTest {
    static final class Impl implements Board {
        final List<String> calls = new ArrayList<>();
        int next = 1;

        @Override public int width() { return 48; }
        @Override public int spawn(int x, int y) { calls.add("spawn " + x + "," + y); return next++; }
        @Override public boolean move(int id, int dx, int dy) { calls.add("move " + id + " " + dx + " " + dy); return id < next; }
        @Override public long ticks() { return 1L << 40; }
        @Override public double ratio(double a, double b) { return a / b; }
        @Override public float half(float f) { return f / 2; }
        @Override public String describe(int id) { return id == 0 ? null : "creature #" + id + " 🐄"; }
        @Override public void log(String message) { calls.add("log " + message); }
        @Override public String whoAmI(HostContext context) { return context.pluginName(); }
        @Override public void fail(String message) { throw new IllegalStateException(message); }
    }

    private static final Impl board = new Impl();
    private static JsPlugin js;

    @BeforeAll
    static void start() {
        js = Engines.compiled().plugin("modder")
                .policy(PluginPolicy.builder().fuel(20_000_000).timeout(Duration.ofSeconds(30)).build())
                .expose("board", Board.class, board)
                .script("function play() {\n"
                        + "  const id = board.spawn(3, 4);\n"
                        + "  board.move(id, 1, -1);\n"
                        + "  board.log('spawned ' + board.describe(id));\n"
                        + "  return [id, board.width(), board.ticks(), board.ratio(1, 4), board.half(3), board.describe(0), board.whoAmI()];\n"
                        + "}\n"
                        + "function attempt(f) { try { f(); return 'no error'; } catch (e) { return e.name + ': ' + e.message; } }\n")
                .build();
    }

    @AfterAll
    static void stop() {
        js.close();
    }

    @Test
    void callsReachJavaAndResultsComeBack() {
        board.calls.clear();
        @SuppressWarnings("unchecked")
        var r = (List<Object>) js.call("play");
        int id = (Integer) r.get(0);
        assertEquals(Arrays.asList(id, 48, 1L << 40, 0.25, 1.5, null, "modder"), r);
        assertEquals(List.of("spawn 3,4", "move " + id + " 1 -1", "log spawned creature #" + id + " 🐄"), board.calls);
    }

    @Test
    void argumentsAreCheckedIntoTypeErrors() {
        assertEquals("TypeError: board.spawn: argument 1 must be an integer in the 32-bit range, got 1.5",
                js.eval("attempt(() => board.spawn(1.5, 2))"));
        assertEquals("TypeError: board.spawn: argument 2 must be an integer in the 32-bit range, got \"2\"",
                js.eval("attempt(() => board.spawn(1, '2'))"));
        assertEquals("TypeError: board.spawn: argument 1 must be an integer in the 32-bit range, got 4294967296",
                js.eval("attempt(() => board.spawn(2 ** 32, 0))"));
        assertEquals("TypeError: board.spawn takes 2 arguments, got 1", js.eval("attempt(() => board.spawn(1))"));
        assertEquals("TypeError: board.log: argument 1 must be a string, got 42", js.eval("attempt(() => board.log(42))"));
        assertEquals("TypeError: board.ratio: argument 2 must be a number, got null", js.eval("attempt(() => board.ratio(1, null))"));
        assertEquals("no error", js.eval("attempt(() => board.ticks())"));
    }

    @Test
    void hostExceptionsAreErrorsTheScriptMayCatch() {
        assertEquals("Error: board.fail: IllegalStateException: nope", js.eval("attempt(() => board.fail('nope'))"));
        var e = assertThrows(JsException.class, () -> js.eval("board.fail('uncaught')"));
        assertEquals("Error", e.jsName().orElseThrow());
        assertTrue(e.jsMessage().contains("uncaught"), e.jsMessage());
    }

    @Test
    void theHostObjectCannotBeReplacedByTheScript() {
        assertEquals(48, js.eval("board.width = () => 1; board.spawn = null; board.width()"));
        assertEquals(48, js.eval("try { board = {}; } catch (e) {} board.width()"));
        assertEquals(true, js.eval("Object.isFrozen(board)"));
    }

    @Test
    void unsupportedApisAreRefusedAtBuild() {
        var b = Engines.compiled().plugin("x").script("1");
        assertThrows(IllegalArgumentException.class, () -> b.expose("not an identifier", Board.class, board));
        assertThrows(IllegalArgumentException.class, () -> b.expose("r", Runnable.class, () -> {}).expose("r", Runnable.class, () -> {}));
        assertThrows(IllegalArgumentException.class, () -> b.expose("cs", CharSequence.class, "text")); // CharSequence chars() -> IntStream
        assertThrows(IllegalArgumentException.class, () -> b.expose("s", Object.class, "not an interface"));
    }
}
