package dev.corral.game;

import dev.corral.CompileCache;
import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.js.JsEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Engines shared by every test of the run (QuickJS compiles and is fuel-instrumented once per
 * execution mode, not per game), the test mods, and an in-process CLI.
 */
final class TestGames implements Engines {
    static final TestGames ENGINES = new TestGames();
    /** Shipped mods (built by build-mods.sh), test mods from WAT (built by wat2wasm) and JavaScript sources. */
    static final Path SHIPPED = Path.of(System.getProperty("corral.game.mods", "target/mods"));
    static final Path TEST_WASM = Path.of("target/test-classes/test-mods");
    static final Path TEST_JS = Path.of("src/test/mods");

    private final Corral[] corrals = new Corral[2];
    private final JsEngine[] js = new JsEngine[2];

    private TestGames() {}

    @Override
    public synchronized Corral corral(boolean interpreter) {
        int i = interpreter ? 1 : 0;
        if (corrals[i] == null) {
            var b = Corral.builder().executionMode(interpreter ? ExecutionMode.INTERPRETED : ExecutionMode.COMPILED);
            String cache = System.getProperty("corral.test.cache");
            if (cache != null) {
                b.compileCache(CompileCache.directory(Path.of(cache)));
            }
            corrals[i] = b.build();
        }
        return corrals[i];
    }

    @Override
    public synchronized JsEngine js(boolean interpreter) {
        int i = interpreter ? 1 : 0;
        if (js[i] == null) {
            js[i] = JsEngine.load(corral(interpreter));
        }
        return js[i];
    }

    /** A fresh directory holding the named mods: {@code "trap.wasm"}, {@code "thrower.js"}, {@code "shipped"} for all shipped ones. */
    static Path modsDir(String... mods) {
        try {
            Path dir = Files.createTempDirectory("corral-game-mods");
            for (String m : mods) {
                if (m.equals("shipped")) {
                    try (var s = Files.list(SHIPPED)) {
                        for (Path p : s.toList()) {
                            Files.copy(p, dir.resolve(p.getFileName()));
                        }
                    }
                } else {
                    Path src = m.endsWith(".js") ? TEST_JS.resolve(m) : TEST_WASM.resolve(m);
                    Files.copy(src, dir.resolve(m));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] testMod(String m) {
        try {
            return Files.readAllBytes(m.endsWith(".js") ? TEST_JS.resolve(m) : TEST_WASM.resolve(m));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One CLI run, in-process. */
    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        /** The contract's closing lines: one per mod, then the hash. */
        List<String> tail(int mods) {
            var l = lines();
            return l.subList(l.size() - mods - 1, l.size());
        }

        String hash() {
            var l = lines();
            String last = l.get(l.size() - 1);
            if (!last.startsWith("state sha256=")) {
                throw new AssertionError("no state line in:\n" + out + "\nstderr:\n" + err);
            }
            return last.substring("state sha256=".length());
        }
    }

    static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code;
        try (var o = new PrintStream(out, true, StandardCharsets.UTF_8); var e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.execute(args, o, e, ENGINES);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
