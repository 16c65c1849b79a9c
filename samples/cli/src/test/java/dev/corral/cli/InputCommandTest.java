package dev.corral.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code corral run MODULE --invoke EXPORT --input TEXT|@FILE} and {@code --input-bytes @FILE}. */
class InputCommandTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void inputTextCallsAStringExportAndPrintsTheResult(boolean interpreter) {
        var args = interpreter
                ? new String[] {"run", "--interpreter", Cli.wasm("abi_greet"), "--invoke", "greet", "--input", "Corral"}
                : new String[] {"run", Cli.wasm("abi_greet"), "--invoke", "greet", "--input", "Corral"};
        Cli.run(args).assertOk("Hello, Corral!\n");
    }

    @Test
    void inputFromAFileIsReadAsUtf8AndMayBeLarge() throws Exception {
        String big = "żółw 🐢 ".repeat(100_000); // ~1.2 MB
        Path f = tmp.resolve("in.txt");
        Files.writeString(f, big, StandardCharsets.UTF_8);
        Cli.run("run", Cli.wasm("abi_greet"), "--invoke", "greet", "--input", "@" + f).assertOk("Hello, " + big + "!\n");
        Cli.run("run", Cli.wasm("abi_greet"), "--invoke", "greet", "--input", "").assertOk("Hello, !\n");
    }

    @Test
    void inputBytesWritesTheReturnedBytesUnchanged() throws Exception {
        Path f = tmp.resolve("in.bin");
        Files.write(f, new byte[] {0, (byte) 0xff, 10, 13, (byte) 0x80});
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.execute(new String[] {"run", Cli.wasm("abi_greet"), "--invoke", "reverse", "--input-bytes", "@" + f},
                new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, code, err.toString());
        assertArrayEquals(new byte[] {(byte) 0x80, 13, 10, (byte) 0xff, 0}, out.toByteArray());
    }

    @Test
    void misuseIsAUsageError() throws Exception {
        String m = Cli.wasm("abi_greet");
        Cli.run("run", m, "--input", "x").assertError(64, "usage", "--input needs --invoke EXPORT");
        Cli.run("run", m, "--invoke", "add", "--input", "x").assertError(64, "usage", "needs an export of shape (i32, i32) -> (i64)");
        Cli.run("run", m, "--invoke", "greet", "--input", "x", "extra").assertError(64, "usage", "remove the extra arguments");
        Cli.run("run", m, "--invoke", "greet", "--input", "x", "--input-bytes", "@x").assertError(64, "usage", "exclude each other");
        Cli.run("run", m, "--invoke", "reverse", "--input-bytes", "raw").assertError(64, "usage", "takes @FILE");
        Path bin = tmp.resolve("bin");
        Files.write(bin, new byte[] {(byte) 0xff});
        Cli.run("run", m, "--invoke", "greet", "--input", "@" + bin).assertError(64, "usage", "not UTF-8 text; pass it with --input-bytes");
    }

    @Test
    void anUnreadableInputFileIsAnIoError() {
        Cli.run("run", Cli.wasm("abi_greet"), "--invoke", "greet", "--input", "@" + tmp.resolve("missing.txt"))
                .assertError(66, "io", "cannot read input file");
    }

    @Test
    void aPluginForAnotherAbiIsALoadError() {
        Cli.run("run", Cli.wasm("abi_v2_greet"), "--invoke", "greet", "--input", "x").assertError(65, "load", "Corral guest ABI v2");
        Cli.run("run", Cli.wasm("numbers"), "--invoke", "greet", "--input", "x").assertError(64, "usage", "exports no function 'greet'");
    }

    @Test
    void aReactorIsInitializedExactlyOnce() {
        Cli.run("run", Cli.wasm("reactor"), "--invoke", "ready").assertOk("1\n");
    }

    @Test
    void hostileResultsAreTrapsNotCrashes() {
        Cli.run("run", Cli.wasm("abi_greet"), "--invoke", "garbage", "--input", "x").assertError(70, "trap", "not valid UTF-8");
        Cli.run("run", Cli.wasm("abi_greet"), "--invoke", "wild", "--input", "x").assertError(70, "trap", "outside the plugin's memory");
    }
}
