package dev.corral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script {@code samples/cli/corral} over the packaged jar (so in verify, after
 * package): it runs a plugin, and the AppCDS archive the build made really maps (with -Xshare:on
 * the JVM refuses to start instead of silently running without it).
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("corral").toAbsolutePath();

    private static List<String> run(Path cache, String javaOpts, String... args) throws IOException, InterruptedException {
        var cmd = new java.util.ArrayList<>(List.of("bash", LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("XDG_CACHE_HOME", cache.toString());
        pb.environment().put("CORRAL_JAVA_OPTS", javaOpts);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        var p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return List.of(String.valueOf(p.exitValue()), out);
    }

    @Test
    void runsAPluginWithTheArchiveMapped(@TempDir Path cache) throws Exception {
        assertTrue(Files.isRegularFile(Path.of("target", "corral.jsa")), "the build made target/corral.jsa");
        String wasm = Cli.wasm("numbers");
        assertEquals(List.of("0", "5\n"), run(cache, "-Xshare:on", "run", wasm, "--invoke", "add", "2", "3"));
        assertEquals(List.of("0", "5\n"), run(cache, "-Xshare:on", "run", wasm, "--invoke", "add", "2", "3"), "warm cache");
        assertTrue(Files.list(cache.resolve("corral")).findAny().isPresent(), "the default cache is under XDG_CACHE_HOME");
    }

    @Test
    void exitCodesPassThrough(@TempDir Path cache) throws Exception {
        var r = run(cache, "", "run", cache.resolve("absent.wasm").toString());
        assertEquals("66", r.get(0));
        assertTrue(r.get(1).startsWith("corral: io: "), r.get(1));
    }
}
