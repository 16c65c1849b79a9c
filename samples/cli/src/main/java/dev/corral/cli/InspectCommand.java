package dev.corral.cli;

import dev.corral.CompileFacts;
import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.ExportDescriptor;
import dev.corral.ImportDescriptor;
import dev.corral.MemoryDescriptor;
import dev.corral.ModuleInfo;
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

/**
 * {@code corral inspect [--json] [--compile] MODULE}: what a module needs and offers, without
 * running it. It parses and validates only (a 16 MB module answers in seconds); with
 * {@code --compile} it also compiles the module and reports what came out.
 */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Shows a module's imports, exports, memories and SHA-256, without running it.")
final class InspectCommand implements Callable<Integer>, Main.Verbose {
    private final PrintStream out;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    private boolean json;

    @Option(names = "--compile", description = "Also compile the module (as `run` would) and report what came out: "
            + "functions compiled, split or interpreted, the largest JVM method, compile time.")
    private boolean compile;

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
        // parsing and validation are what inspect needs: nothing is compiled unless asked
        try (Corral corral = Corral.builder().executionMode(ExecutionMode.COMPILED).build()) {
            ModuleInfo m = corral.loader().inspect(module);
            CompileFacts facts = compile ? m.compile().compileFacts() : null;
            out.println(json ? json(m, facts) : text(m, facts));
            return 0;
        }
    }

    static String text(ModuleInfo m, CompileFacts facts) {
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
        sb.append("code     ").append(m.functionCount()).append(" functions, largest ").append(m.largestFunctionBytes())
                .append(" bytes\n");
        if (facts != null) {
            sb.append("compiled ").append(facts.compiledFunctions()).append(" of ").append(facts.functions())
                    .append(" functions to JVM bytecode in ").append(facts.compileTime().toMillis()).append(" ms")
                    .append(facts.fromCache() ? " (from the compile cache)" : "").append(", ")
                    .append(facts.classBytes()).append(" bytes of classes\n");
            sb.append("split    ").append(facts.splitFunctions().size()).append(" functions into ")
                    .append(facts.helperFunctions()).append(" helpers").append(list(facts.splitFunctions())).append('\n');
            sb.append("interp.  ").append(facts.interpretedFunctions().size()).append(" functions in Chicory's interpreter")
                    .append(list(facts.interpretedFunctions())).append('\n');
            sb.append("largest  ").append(facts.largestMethod()).append(", ").append(facts.largestMethodBytes())
                    .append(" bytes of bytecode (HotSpot JIT-compiles up to ").append(CompileFacts.JIT_LIMIT).append(")\n");
            sb.append("over JIT ").append(facts.aboveJitLimit().size()).append(" functions").append(list(facts.aboveJitLimit()));
            if (!facts.runtimeAboveJitLimit().isEmpty()) {
                sb.append("; runtime dispatch: ").append(String.join(", ", facts.runtimeAboveJitLimit()));
            }
            sb.append('\n');
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

    private static String list(java.util.List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        return names.size() <= 8 ? ": " + String.join(", ", names)
                : ": " + String.join(", ", names.subList(0, 8)) + " and " + (names.size() - 8) + " more";
    }

    static String json(ModuleInfo m, CompileFacts facts) {
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
        j.field("functions", m.functionCount()).field("largest_function_bytes", m.largestFunctionBytes());
        if (facts != null) {
            j.beginObjectIn("compile");
            j.field("compiled_functions", facts.compiledFunctions()).field("compile_ms", facts.compileTime().toMillis())
                    .field("from_cache", facts.fromCache()).field("class_bytes", facts.classBytes())
                    .field("helper_functions", facts.helperFunctions());
            j.stringArray("split_functions", facts.splitFunctions());
            j.stringArray("interpreted_functions", facts.interpretedFunctions());
            j.field("largest_method", facts.largestMethod()).field("largest_method_bytes", facts.largestMethodBytes());
            j.stringArray("above_jit_limit", facts.aboveJitLimit());
            j.stringArray("runtime_above_jit_limit", facts.runtimeAboveJitLimit());
            j.endObject();
        }
        return j.endObject().toString();
    }

    private static String kind(Enum<?> k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
