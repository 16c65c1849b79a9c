package dev.corral.cli;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.ExportDescriptor;
import dev.corral.ImportDescriptor;
import dev.corral.MemoryDescriptor;
import dev.corral.PluginModule;
import dev.corral.ValueType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code corral inspect [--json] MODULE}: what a module needs and offers, without running it. */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Shows a module's imports, exports, memories and SHA-256, without running it.")
final class InspectCommand implements Callable<Integer>, Main.Verbose {
    private final PrintStream out;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    private boolean json;

    @Option(names = "--verbose", description = "Stack traces with errors.")
    private boolean verbose;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file.")
    private Path module;

    InspectCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public boolean verbose() {
        return verbose;
    }

    @Override
    public Integer call() {
        // nothing runs, so skip the bytecode compiler: parsing and validation are what inspect needs
        try (Corral corral = Corral.builder().executionMode(ExecutionMode.INTERPRETED).build()) {
            PluginModule m = corral.load(module);
            out.println(json ? json(m) : text(m));
            return 0;
        }
    }

    static String text(PluginModule m) {
        var sb = new StringBuilder();
        sb.append("module   ").append(m.name()).append('\n');
        sb.append("sha256   ").append(m.sha256()).append('\n');
        sb.append("imports  (").append(m.imports().size()).append(")\n");
        for (ImportDescriptor i : m.imports()) {
            row(sb, kind(i.kind()), i.module() + "." + i.name(), i.type());
        }
        sb.append("exports  (").append(m.exports().size()).append(")\n");
        for (ExportDescriptor e : m.exports()) {
            row(sb, kind(e.kind()), e.name(), e.type());
        }
        sb.append("memories (").append(m.memories().size()).append(")\n");
        for (MemoryDescriptor mem : m.memories()) {
            row(sb, "memory", String.valueOf(mem.index()), "min " + pages(mem.minPages()) + ", max "
                    + (mem.maxPages().isPresent() ? pages(mem.maxPages().getAsInt()) : "none")
                    + (mem.imported() ? " (imported)" : ""));
        }
        return sb.toString().stripTrailing();
    }

    private static void row(StringBuilder sb, String kind, String name, String type) {
        sb.append(String.format(Locale.ROOT, "  %-8s %s", kind, name));
        if (type != null && !type.isEmpty()) {
            sb.append("  ").append(type);
        }
        sb.append('\n');
    }

    private static String pages(int pages) {
        long bytes = (long) pages * MemoryDescriptor.PAGE_SIZE;
        String size = bytes % (1 << 30) == 0 && bytes > 0 ? bytes / (1 << 30) + " GiB"
                : bytes % (1 << 20) == 0 && bytes > 0 ? bytes / (1 << 20) + " MiB"
                : bytes / 1024 + " KiB";
        return pages + (pages == 1 ? " page" : " pages") + " (" + size + ")";
    }

    static String json(PluginModule m) {
        var j = new Json().beginObject();
        j.field("module", m.name()).field("sha256", m.sha256());
        j.beginArray("imports");
        for (ImportDescriptor i : m.imports()) {
            j.beginObject().field("module", i.module()).field("name", i.name()).field("kind", kind(i.kind()))
                    .field("type", emptyToNull(i.type())).endObject();
        }
        j.endArray();
        j.beginArray("exports");
        for (ExportDescriptor e : m.exports()) {
            j.beginObject().field("name", e.name()).field("kind", kind(e.kind())).field("type", emptyToNull(e.type()));
            if (e.signature() != null) {
                j.stringArray("params", e.signature().params().stream().map(ValueType::watName).collect(Collectors.toList()));
                j.stringArray("results", e.signature().results().stream().map(ValueType::watName).collect(Collectors.toList()));
            }
            j.endObject();
        }
        j.endArray();
        j.beginArray("memories");
        for (MemoryDescriptor mem : m.memories()) {
            j.beginObject().field("index", mem.index()).field("imported", mem.imported())
                    .field("min_pages", mem.minPages());
            OptionalInt max = mem.maxPages();
            if (max.isPresent()) {
                j.field("max_pages", max.getAsInt());
            } else {
                j.nullField("max_pages");
            }
            j.endObject();
        }
        j.endArray();
        return j.endObject().toString();
    }

    private static String kind(Enum<?> k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
