package dev.corral.samples.hello;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository as files: its Markdown pages and fenced blocks, and its Maven modules read from
 * their pom.xml (with patterns, not a DOM: the tests run inside a named module that does not read
 * java.xml, and our poms are regular enough).
 */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("corral.root", "../..")).toAbsolutePath().normalize();

    private Repo() {}

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every Markdown file of the project: READMEs, site pages, notes; not build output or node_modules. */
    static List<Path> markdownFiles() {
        try (Stream<Path> s = Files.walk(ROOT)) {
            return s.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> {
                        String rel = ROOT.relativize(p).toString().replace('\\', '/');
                        return !rel.startsWith(".") && !rel.contains("/target/") && !rel.startsWith("target/")
                                && !rel.contains("node_modules/") && !rel.contains("/out/") && !rel.contains("/.")
                                && !rel.startsWith("site/.vitepress/");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fenced code block: its language, its text (with the final newline), and what precedes it. */
    record Block(String lang, String text, String marker) {}

    private static final Pattern FENCE = Pattern.compile("(?m)^```([\\w-]*)\\n(.*?)^```$", Pattern.DOTALL);
    private static final Pattern MARKER = Pattern.compile("<!-- ([\\w-]+: [^>]*?) -->\\s*$");

    /** The fenced blocks of a page; {@code marker} is the HTML comment on the line right before, if any. */
    static List<Block> blocks(String markdown) {
        var out = new ArrayList<Block>();
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            String before = markdown.substring(0, m.start());
            before = before.endsWith("\n") ? before.substring(0, before.length() - 1) : before;
            String lastLine = before.substring(before.lastIndexOf('\n') + 1);
            Matcher mk = MARKER.matcher(lastLine);
            out.add(new Block(m.group(1), m.group(2), mk.find() ? mk.group(1) : null));
        }
        return out;
    }

    /** A Maven module as far as these tests care. */
    record Module(Path dir, String artifactId, String packaging, boolean published, String name, String description) {}

    /** The root pom's modules, recursively through aggregators. */
    static List<Module> modules() {
        var out = new ArrayList<Module>();
        collect(ROOT, out);
        return out;
    }

    private static void collect(Path dir, List<Module> out) {
        String pom = read(dir.resolve("pom.xml"));
        for (String child : all(pom, "module")) {
            Path d = dir.resolve(child).normalize();
            String p = read(d.resolve("pom.xml"));
            String own = withoutParent(p);
            String packaging = first(own, "packaging");
            Map<String, String> props = properties(own);
            out.add(new Module(d, first(own, "artifactId"), packaging == null ? "jar" : packaging,
                    !"true".equals(props.get("maven.deploy.skip")), first(own, "name"), first(own, "description")));
            if ("pom".equals(packaging) && p.contains("<modules>")) {
                collect(d, out);
            }
        }
    }

    static String withoutParent(String pom) {
        return pom.replaceFirst("(?s)<parent>.*?</parent>", "").replaceFirst("(?s)<!--.*?-->", "");
    }

    static String first(String xml, String tag) {
        Matcher m = Pattern.compile("<" + tag + ">\\s*([^<]*?)\\s*</" + tag + ">").matcher(xml);
        return m.find() ? m.group(1) : null;
    }

    static List<String> all(String xml, String tag) {
        var out = new ArrayList<String>();
        Matcher m = Pattern.compile("<" + tag + ">\\s*([^<]*?)\\s*</" + tag + ">").matcher(xml);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static Map<String, String> properties(String pom) {
        var out = new LinkedHashMap<String, String>();
        Matcher block = Pattern.compile("(?s)<properties>(.*?)</properties>").matcher(pom);
        if (block.find()) {
            Matcher m = Pattern.compile("<([\\w.-]+)>([^<]*)</\\1>").matcher(block.group(1));
            while (m.find()) {
                out.put(m.group(1), m.group(2).strip());
            }
        }
        return out;
    }
}
