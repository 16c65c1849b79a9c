package dev.corral.samples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * corral-bom covers every published artifact, every dependency snippet in the docs relies on it,
 * and every published POM carries what Maven Central asks for. (That the snippets really build is
 * ConsumerBuildIT's job.)
 */
class BomTest {
    private static final String BOM = Repo.read(Repo.ROOT.resolve("bom/pom.xml"));

    static Set<String> managedByBom() {
        String dm = BOM.substring(BOM.indexOf("<dependencyManagement>"));
        return new TreeSet<>(Repo.all(dm, "artifactId"));
    }

    /** Published artifacts a user depends on: every deployable module but the parent and the BOM. */
    static List<Repo.Module> publishedLibraries() {
        return Repo.modules().stream()
                .filter(Repo.Module::published)
                .filter(m -> !m.artifactId().equals("corral-bom"))
                .toList();
    }

    @Test
    void bomManagesEveryPublishedArtifact() {
        var published = new TreeSet<String>();
        publishedLibraries().forEach(m -> published.add(m.artifactId()));
        assertTrue(published.contains("corral-core"), published.toString());
        assertEquals(published, managedByBom(),
                "corral-bom must list exactly the published modules (set maven.deploy.skip in modules that are not published)");
    }

    @Test
    void everyDependencySnippetInTheDocsUsesTheBom() {
        var readme = Repo.blocks(Repo.read(Repo.ROOT.resolve("README.md"))).stream()
                .filter(b -> b.marker() != null && b.marker().startsWith("consumer-pom: "))
                .map(Repo.Block::text)
                .toList();
        assertEquals(2, readme.size(), "README.md has the two consumer-pom snippets");
        assertTrue(readme.get(0).contains("<artifactId>corral-bom</artifactId>") && readme.get(0).contains("<scope>import</scope>"));
        var wrong = new ArrayList<String>();
        for (Path page : Repo.markdownFiles()) {
            for (var b : Repo.blocks(Repo.read(page))) {
                if (!b.lang().equals("xml") || !b.text().contains("dev.corral") || readme.contains(b.text())) {
                    continue;
                }
                // anything else may only add version-less dependencies on BOM-managed artifacts
                String deps = b.text().replaceAll("(?s)<dependency>.*?</dependency>", "").strip();
                boolean onlyDependencies = deps.isEmpty() || deps.equals("<dependencies>\n</dependencies>")
                        || deps.replaceAll("\\s+", "").equals("<dependencies></dependencies>");
                boolean versionless = !b.text().contains("<version>");
                boolean managed = managedByBom().containsAll(Repo.all(b.text(), "artifactId"));
                if (!(onlyDependencies && versionless && managed)) {
                    wrong.add(Repo.ROOT.relativize(page) + ":\n" + b.text());
                }
            }
        }
        assertEquals(List.of(), wrong, "snippets must be the README's, or version-less dependencies managed by corral-bom");
    }

    @Test
    void publishedPomsCarryWhatMavenCentralAsks() {
        String root = Repo.read(Repo.ROOT.resolve("pom.xml"));
        for (String pom : List.of(Repo.withoutParent(root), BOM)) {
            for (String tag : List.of("name", "description", "url")) {
                assertNotNull(Repo.first(pom, tag), tag);
            }
            for (String section : List.of("<licenses>", "<license>", "<developers>", "<developer>", "<scm>", "<connection>",
                    "<developerConnection>")) {
                assertTrue(pom.contains(section), section);
            }
        }
        for (var m : publishedLibraries()) {
            // url, licenses, scm and developers are inherited from corral-parent, which is published too
            assertNotNull(m.name(), m.artifactId() + " has a name");
            assertNotNull(m.description(), m.artifactId() + " has a description");
        }
    }
}
