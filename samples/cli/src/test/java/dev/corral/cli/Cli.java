package dev.corral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Runs {@code corral} in-process with captured output. */
final class Cli {
    private static final Pattern ERROR_LINE =
            Pattern.compile("corral: (usage|load|io|trap|fuel|timeout|stack|denied): \\S.*\\R");

    private Cli() {}

    record Result(int code, String out, String err) {
        /** The contract for every failure: one line {@code corral: <kind>: <message>} and nothing else on stderr. */
        Result assertError(int expectedCode, String kind, String messagePart) {
            assertEquals(expectedCode, code, () -> "exit code; stderr: " + err);
            assertTrue(ERROR_LINE.matcher(err).matches(), () -> "not one error line: [" + err + "]");
            assertTrue(err.startsWith("corral: " + kind + ": "), () -> "kind: " + err);
            assertTrue(err.contains(messagePart), () -> "message should mention '" + messagePart + "': " + err);
            assertFalse(err.contains("\tat "), "no stack trace without --verbose");
            return this;
        }

        Result assertOk(String expectedOut) {
            assertEquals(0, code, () -> "exit code; stderr: " + err);
            assertEquals(expectedOut, out);
            assertEquals("", err);
            return this;
        }
    }

    static Result run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code;
        try (var o = new PrintStream(out, true, StandardCharsets.UTF_8);
                var e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.execute(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"),
                err.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    /** A fixture compiled from src/test/wat by the build. */
    static String wasm(String name) {
        var url = Cli.class.getResource("/wasm/" + name + ".wasm");
        if (url == null) {
            throw new IllegalStateException("fixture " + name + ".wasm not built: is wat2wasm installed?");
        }
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
