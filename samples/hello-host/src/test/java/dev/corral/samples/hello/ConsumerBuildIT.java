package dev.corral.samples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A new user's first build, for real: a project made of nothing but the README's two pom snippets
 * and the example's sources is built by Maven against Corral's published artifacts (the packaged
 * jars and poms of this build, laid out as a repository), then run on the module path and on the
 * class path. Runs in {@code verify} (failsafe), when every module is packaged.
 *
 * <p>The nested build gets a local repository of its own under target/ that falls back, read-only,
 * to the outer build's ({@code maven.repo.local.tail}): Corral's snapshots never reach ~/.m2.
 */
class ConsumerBuildIT {
    static final Path TARGET = Path.of("target").toAbsolutePath();
    static final Path STAGING = TARGET.resolve("consumer-repo");
    static final Path PROJECT = TARGET.resolve("consumer");
    static final String VERSION = System.getProperty("corral.version", "0.1.0-SNAPSHOT");
    static String classpath;

    @BeforeAll
    static void buildTheConsumerProject() throws Exception {
        stageRepository();
        writeProject();
        String mvn = Path.of(System.getProperty("maven.home"), "bin", "mvn").toString();
        var cmd = List.of(mvn, "-B", "-q", "-f", PROJECT.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + STAGING,
                "-Dmaven.repo.local.tail=" + System.getProperty("maven.repo.local"),
                "package", "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
                "-Dmdep.outputFile=" + PROJECT.resolve("target/classpath.txt"));
        var r = run(cmd, "consumer-build", 600);
        assertEquals(0, r.code(), "the consumer project built from the README's snippets fails to build:\n" + r.all());
        classpath = Files.readString(PROJECT.resolve("target/classpath.txt")).strip();
    }

    @Test
    void runsOnTheModulePath() throws Exception {
        String modulePath = PROJECT.resolve("target/classes") + File.pathSeparator + classpath;
        var r = run(List.of(java(), "-p", modulePath, "-m", "dev.corral.samples.hello/dev.corral.samples.hello.HelloHost",
                PROJECT.resolve("hello.wasm").toString()), "consumer-module-path", 120);
        assertEquals(0, r.code(), r.all());
        assertEquals("2 + 3 = 5\nHello, Corral!\n", r.out());
    }

    @Test
    void runsOnTheClassPath() throws Exception {
        String cp = PROJECT.resolve("target/classes") + File.pathSeparator + classpath;
        var r = run(List.of(java(), "-cp", cp, "dev.corral.samples.hello.HelloHost", PROJECT.resolve("hello.wasm").toString()),
                "consumer-class-path", 120);
        assertEquals(0, r.code(), r.all());
        assertEquals("2 + 3 = 5\nHello, Corral!\n", r.out());
    }

    @Test
    void everyPublishedJarComesWithSourcesAndJavadoc() {
        var missing = new ArrayList<String>();
        for (var m : BomTest.publishedLibraries()) {
            if (!m.packaging().equals("jar")) {
                continue;
            }
            for (String classifier : List.of("", "-sources", "-javadoc")) {
                Path jar = m.dir().resolve("target/" + m.artifactId() + "-" + VERSION + classifier + ".jar");
                if (!Files.isRegularFile(jar)) {
                    missing.add(Repo.ROOT.relativize(jar).toString());
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    /** Corral's artifacts as a local Maven repository: parent pom, BOM, and each published module's jar + pom. */
    static void stageRepository() throws IOException {
        deleteTree(STAGING.resolve("dev/corral"));
        stage("corral-parent", Repo.ROOT.resolve("pom.xml"), null);
        for (var m : Repo.modules()) {
            if (!m.published()) {
                continue;
            }
            Path jar = m.packaging().equals("jar") ? m.dir().resolve("target/" + m.artifactId() + "-" + VERSION + ".jar") : null;
            assertTrue(jar == null || Files.isRegularFile(jar), "packaged before this test: " + jar);
            stage(m.artifactId(), m.dir().resolve("pom.xml"), jar);
        }
    }

    private static void stage(String artifactId, Path pom, Path jar) throws IOException {
        Path dir = STAGING.resolve("dev/corral").resolve(artifactId).resolve(VERSION);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifactId + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifactId + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The template pom with the README's snippets, the example's sources (module-info included), the plugin. */
    static void writeProject() throws IOException {
        deleteTree(PROJECT);
        var snippets = Repo.blocks(Repo.read(Repo.ROOT.resolve("README.md"))).stream()
                .filter(b -> b.marker() != null && b.marker().startsWith("consumer-pom: "))
                .toList();
        String pom = Repo.read(Path.of("src/test/consumer/pom.xml"));
        for (var b : snippets) {
            String marker = "<!-- README: " + b.marker().substring("consumer-pom: ".length()).strip() + " -->";
            assertTrue(pom.contains(marker), "the template has a place for " + marker);
            pom = pom.replace(marker, b.text());
        }
        assertTrue(!pom.contains("<!-- README:"), "every snippet the template expects is in the README");
        Files.createDirectories(PROJECT);
        Files.writeString(PROJECT.resolve("pom.xml"), pom);
        Path src = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path to = PROJECT.resolve("src/main/java").resolve(src.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
        Files.copy(HelloHostTest.PLUGIN, PROJECT.resolve("hello.wasm"));
    }

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** Runs {@code cmd}, its stdout and stderr kept in {@code <name>.out} and {@code <name>.err} under target/. */
    static Result run(List<String> cmd, String name, int timeoutSeconds) throws IOException, InterruptedException {
        Path out = TARGET.resolve(name + ".out");
        Path err = TARGET.resolve(name + ".err");
        var p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
