package dev.corral.guestsdks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code corral run guest-sdks/out/<lang>-hello.wasm --invoke greet --input Corral}, in-process. */
class CliTest {
    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void corralRunGreets(String lang) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code;
        try (var o = new PrintStream(out, true, StandardCharsets.UTF_8); var e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.execute(new String[] {"run", Examples.wasm(lang, "hello").toString(), "--invoke", "greet", "--input", "Corral"}, o, e);
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertEquals(0, code);
        assertEquals("Hello, Corral!" + System.lineSeparator(), out.toString(StandardCharsets.UTF_8));
    }
}
