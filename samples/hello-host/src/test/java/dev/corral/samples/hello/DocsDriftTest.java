package dev.corral.samples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The code shown in the docs is the code the build compiles: a fenced block announced with
 * {@code <!-- include: PATH -->} must be PATH's content, byte for byte. To fix a failure, copy the
 * file into the page (or change the file, if the page is what you meant).
 */
class DocsDriftTest {
    @Test
    void includedBlocksAreTheFilesVerbatim() {
        var drifted = new ArrayList<String>();
        int includes = 0;
        for (Path page : Repo.markdownFiles()) {
            for (var b : Repo.blocks(Repo.read(page))) {
                if (b.marker() == null || !b.marker().startsWith("include: ")) {
                    continue;
                }
                includes++;
                Path file = Repo.ROOT.resolve(b.marker().substring("include: ".length()).strip());
                if (!Files.isRegularFile(file)) {
                    drifted.add(Repo.ROOT.relativize(page) + " includes a missing file " + file);
                } else if (!Repo.read(file).equals(b.text())) {
                    drifted.add(Repo.ROOT.relativize(page) + " differs from " + Repo.ROOT.relativize(file));
                }
            }
        }
        assertTrue(includes >= 4, "the README's example files are included: found only " + includes);
        assertEquals(List.of(), drifted);
    }

    @Test
    void readmeShowsTheCompiledExample() {
        var includes = Repo.blocks(Repo.read(Repo.ROOT.resolve("README.md"))).stream()
                .filter(b -> b.marker() != null && b.marker().startsWith("include: "))
                .map(b -> b.marker().substring("include: ".length()))
                .toList();
        assertTrue(includes.contains("samples/hello-host/src/main/java/dev/corral/samples/hello/HelloHost.java"), includes.toString());
        assertTrue(includes.contains("samples/hello-host/plugin/hello.c"), includes.toString());
    }

    @Test
    void readmeOpensWithTheBuildAndTestCommandsAndCiRunsTheTestCommand() {
        var first = Repo.blocks(Repo.read(Repo.ROOT.resolve("README.md"))).get(0);
        var lines = first.text().lines().map(l -> l.replaceFirst("\\s+#.*$", "")).toList();
        assertEquals("./mvnw -B -q package -DskipTests && samples/cli/demo/run-demo.sh", lines.get(0));
        assertEquals("./mvnw -B verify", lines.get(1));
        var commands = Repo.read(Repo.ROOT.resolve(".ci/run")).lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd "))
                .toList();
        assertEquals(List.of(lines.get(1)), commands, ".ci/run must run exactly the README's test command");
    }

    @Test
    void noPageLinksToAMissingFile() {
        var broken = new ArrayList<String>();
        var link = java.util.regex.Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
        for (Path page : Repo.markdownFiles()) {
            String text = Repo.read(page).replaceAll("(?s)```.*?```", "");
            var m = link.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.contains("://") || target.startsWith("mailto:")) {
                    continue;
                }
                if (!Files.exists(page.getParent().resolve(target).normalize())) {
                    broken.add(Repo.ROOT.relativize(page) + " -> " + target);
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void theSampleCallsWhatThePluginExports() {
        String c = Repo.read(Repo.ROOT.resolve("samples/hello-host/plugin/hello.c"));
        String java = Repo.read(Repo.ROOT.resolve("samples/hello-host/src/main/java/dev/corral/samples/hello/HelloHost.java"));
        assertTrue(c.contains("CORRAL_EXPORT(add)") && java.contains("\"add\""));
        assertTrue(c.contains("CORRAL_EXPORT(greet)") && java.contains(".greet("));
        assertFalse(java.contains("..."), "no placeholders in the example");
    }
}
