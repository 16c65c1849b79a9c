package dev.corral.capabilities.suite;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.corral.Corral;
import dev.corral.CorralException;
import dev.corral.ExecutionMode;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.capabilities.Access;
import dev.corral.capabilities.Wasi;
import dev.corral.capabilities.WasiClock;
import dev.corral.capabilities.WasiOutput;
import dev.corral.capabilities.WasiRandom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The WASI preview1 test suite (WebAssembly/wasi-testsuite, vendored in {@code
 * capabilities/wasi-testsuite}, built from source by the build) run the way its own runner does:
 * each test is a command module run with the arguments, environment and root directory (a fresh
 * copy, preopened as {@code /}) its JSON specification names; it passes when the exit code,
 * stdout and stderr are the ones the specification expects.
 *
 * <p>{@code expected-failures.txt} lists what fails on purpose, with the reason. A listed test that
 * starts passing fails this test too, so the list stays true. More suites (for example the
 * suite's prebuilt binaries, to compare) can be added with
 * {@code -Dcorral.wasi-testsuite.extra=dir1,dir2}: every {@code *.wasm} in those directories is
 * run with its {@code .json} beside it.
 */
class WasiTestSuiteTest {
    private static final Path BUILT = Path.of("target", "wasi-testsuite");
    private static Corral corral;

    @BeforeAll
    static void engine() {
        // interpreted: these are ~100 KB wasi-libc modules run once each; compiling them would
        // cost more than running them
        corral = Corral.builder().executionMode(ExecutionMode.INTERPRETED).build();
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    @TestFactory
    Stream<DynamicNode> suite() throws IOException {
        Map<String, String> expectedFailures = expectedFailures(BUILT.resolve("expected-failures.txt"));
        List<Path> suites = new ArrayList<>();
        try (Stream<Path> s = Files.list(BUILT)) {
            s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")).sorted().forEach(suites::add);
        }
        String extra = System.getProperty("corral.wasi-testsuite.extra", "");
        for (String d : extra.split(",")) {
            if (!d.isBlank()) {
                suites.add(Path.of(d));
            }
        }
        assertFalse(suites.isEmpty(), "no suite built under " + BUILT.toAbsolutePath());
        List<DynamicNode> out = new ArrayList<>();
        for (Path suite : suites) {
            String suiteName = suite.getFileName().toString();
            List<DynamicNode> tests = new ArrayList<>();
            try (Stream<Path> s = Files.list(suite)) {
                for (Path wasm : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".wasm")).sorted()::iterator) {
                    String name = wasm.getFileName().toString().replaceFirst("\\.wasm$", "");
                    String reason = expectedFailures.get(suiteName + "/" + name);
                    tests.add(DynamicTest.dynamicTest(name, () -> check(wasm, name, reason)));
                }
            }
            assertFalse(tests.isEmpty(), "no test in " + suite);
            out.add(DynamicContainer.dynamicContainer(suiteName, tests));
        }
        return out.stream();
    }

    private static void check(Path wasm, String name, String expectedFailure) throws IOException {
        String failure = run(wasm, name);
        if (expectedFailure == null) {
            if (failure != null) {
                fail(name + ": " + failure);
            }
        } else {
            assertTrue(failure != null, name + " passes now: remove it from expected-failures.txt ("
                    + expectedFailure + ")");
        }
    }

    /** Runs one test as the suite's runner would; null when it passed, else what differed. */
    @SuppressWarnings("unchecked")
    static String run(Path wasm, String name) throws IOException {
        Path json = wasm.resolveSibling(name + ".json");
        Map<String, Object> spec = Files.exists(json)
                ? (Map<String, Object>) MiniJson.parse(Files.readString(json))
                : Map.of();
        var stdout = WasiOutput.capture(1 << 20);
        var stderr = WasiOutput.capture(1 << 20);
        var wasi = Wasi.builder()
                .clock(WasiClock.system())
                .random(WasiRandom.secure())
                .stdout(stdout)
                .stderr(stderr);
        for (Object a : (List<Object>) spec.getOrDefault("args", List.of())) {
            wasi.args((String) a);
        }
        ((Map<String, Object>) spec.getOrDefault("env", Map.of())).forEach((k, v) -> wasi.env(k, (String) v));
        Path scratch = null;
        if (spec.get("root") != null) {
            scratch = Files.createTempDirectory("wasi-testsuite-");
            copy(wasm.resolveSibling((String) spec.get("root")), scratch);
            wasi.directory(scratch, "/", Access.READ_WRITE);
        }
        try {
            PluginModule module = corral.loader().name(name).load(wasm);
            int exit;
            try (var plugin = module.instantiate(PluginPolicy.builder()
                    .grant(wasi.build())
                    .maxMemory(256L << 20)
                    .timeout(Duration.ofSeconds(30))
                    .build())) {
                exit = plugin.runMain();
            } catch (CorralException e) {
                return "ended with " + e + "; stderr: " + stderr.text();
            }
            long expectedExit = (Long) spec.getOrDefault("exit_code", 0L);
            // like the suite's runner: a stream is compared only when the specification names it
            String expectedOut = (String) spec.get("stdout");
            String expectedErr = (String) spec.get("stderr");
            List<String> diffs = new ArrayList<>();
            if (exit != expectedExit) {
                diffs.add("exit code " + exit + ", expected " + expectedExit);
            }
            if (expectedOut != null && !stdout.text().equals(expectedOut)) {
                diffs.add("stdout '" + stdout.text() + "', expected '" + expectedOut + "'");
            }
            if (expectedErr != null && !stderr.text().equals(expectedErr)) {
                diffs.add("stderr '" + stderr.text() + "', expected '" + expectedErr + "'");
            }
            return diffs.isEmpty() ? null : String.join("; ", diffs);
        } finally {
            if (scratch != null) {
                delete(scratch);
            }
        }
    }

    private static Map<String, String> expectedFailures(Path file) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int sp = l.indexOf(' ');
            String reason = sp < 0 ? "" : l.substring(sp).strip();
            java.util.regex.Matcher jdk = java.util.regex.Pattern.compile("^\\[java<(\\d+)\\]\\s*").matcher(reason);
            if (jdk.find()) {
                if (Runtime.version().feature() >= Integer.parseInt(jdk.group(1))) {
                    continue; // fixed in this JVM: expected to pass
                }
                reason = reason.substring(jdk.end());
            }
            out.put(sp < 0 ? l : l.substring(0, sp), reason);
        }
        return out;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
