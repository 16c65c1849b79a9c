package dev.corral.processor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.Corral;
import dev.corral.PluginPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C header, Rust module and AssemblyScript file generated from {@link Demo} used by real
 * guests (src/test/guests), compiled and run against the generated host binding: the Java
 * interface is the contract on both sides. The build installs the toolchains (clang and Debian's
 * rustc through .ci/ensure-tools.sh, the SDK's pinned AssemblyScript compiler), so none is skipped.
 */
class GeneratedDeclarationsTest {
    // sum("cba") + add(1, 2) + scale(1.0, 2.0) + not(true) + big(3)
    private static final int EXPECTED = 99 + 98 + 97 + 3 + 2 + 0 + 9;

    @TempDir
    Path tmp;

    private static final Path GENERATED = Path.of("target", "generated-resources", "corral-guest");
    private static final Path GUESTS = Path.of("src", "test", "guests");

    @Test
    void cGuestUsingTheGeneratedHeader() throws Exception {
        Files.copy(GENERATED.resolve("demo.h"), tmp.resolve("demo.h"));
        Files.copy(GUESTS.resolve("demo_guest.c"), tmp.resolve("main.c"));
        Path wasm = tmp.resolve("c.wasm");
        build(List.of("clang", "--target=wasm32-unknown-unknown", "-O2", "-nostdlib", "-Wl,--no-entry", "-Wl,--export-dynamic",
                "-Wall", "-Werror", "-o", wasm.toString(), tmp.resolve("main.c").toString()));
        assertEquals(List.of("from C"), run(wasm));
    }

    @Test
    void rustGuestUsingTheGeneratedModule() throws Exception {
        Files.copy(GENERATED.resolve("demo.rs"), tmp.resolve("demo.rs"));
        Files.copy(GUESTS.resolve("demo_guest.rs"), tmp.resolve("lib.rs"));
        Path wasm = tmp.resolve("rust.wasm");
        // Debian's rustc: the rustup one first on PATH has no wasm32 std
        build(List.of("/usr/bin/rustc", "--edition", "2018", "--crate-type=cdylib", "--target", "wasm32-unknown-unknown", "-O",
                "-o", wasm.toString(), tmp.resolve("lib.rs").toString()));
        assertEquals(List.of("Hello, x!rust"), run(wasm));
    }

    @Test
    void assemblyScriptGuestUsingTheGeneratedModule() throws Exception {
        // the SDK's pinned compiler once guest-sdks/build.sh has installed it, else one on PATH
        Path sdkAsc = Path.of("..", "guest-sdks", "assemblyscript", "node_modules", ".bin", "asc");
        String asc = Files.isExecutable(sdkAsc) ? sdkAsc.toAbsolutePath().toString() : "asc";
        Files.copy(GENERATED.resolve("demo.ts"), tmp.resolve("demo.ts"));
        Files.copy(GUESTS.resolve("demo_guest.ts"), tmp.resolve("index.ts"));
        Path wasm = tmp.resolve("as.wasm");
        build(List.of(asc, tmp.resolve("index.ts").toString(), "--runtime", "stub", "-O3", "--use", "abort=", "-o", wasm.toString()));
        assertEquals(List.of("Hello, x!as"), run(wasm));
    }

    private List<String> run(Path wasm) {
        try (var corral = Corral.create()) {
            var demo = new Demo();
            var plugin = corral.loader().name(nameOf(wasm)).load(wasm)
                    .instantiate(PluginPolicy.builder().hostModule(new Demo_CorralHost(demo)).build());
            assertEquals(EXPECTED, plugin.call("run").getInt(0));
            return new ArrayList<>(demo.logged);
        }
    }

    private static String nameOf(Path wasm) {
        String f = wasm.getFileName().toString();
        return f.substring(0, f.length() - ".wasm".length());
    }

    private static void build(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            // the build installs every toolchain (.ci/ensure-tools.sh, guest-sdks/assemblyscript/install.sh):
            // a missing one is a broken setup, not a reason to skip
            throw new AssertionError(command.get(0) + " is not installed: run the build (./mvnw verify) or "
                    + ".ci/ensure-tools.sh c rust and guest-sdks/assemblyscript/install.sh", e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        int code = p.waitFor();
        assertEquals(0, code, String.join(" ", command) + "\n" + out);
    }
}
