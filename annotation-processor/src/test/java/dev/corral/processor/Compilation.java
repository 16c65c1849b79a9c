package dev.corral.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/** Compiles in-memory sources with the processor, output to a temporary directory. */
final class Compilation {
    final boolean success;
    final List<Diagnostic<? extends JavaFileObject>> diagnostics;
    final Path out;

    private Compilation(boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics, Path out) {
        this.success = success;
        this.diagnostics = diagnostics;
        this.out = out;
    }

    /** @param sources pairs of (qualified class name, source text) */
    static Compilation compile(Path out, String... sources) {
        var compiler = ToolProvider.getSystemJavaCompiler();
        var diagnostics = new DiagnosticCollector<JavaFileObject>();
        List<JavaFileObject> units = new ArrayList<>();
        for (int i = 0; i < sources.length; i += 2) {
            String name = sources[i];
            String text = sources[i + 1];
            units.add(new SimpleJavaFileObject(URI.create("string:///" + name.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return text;
                }
            });
        }
        try {
            Files.createDirectories(out.resolve("classes"));
            Files.createDirectories(out.resolve("sources"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var options = List.of("-classpath", System.getProperty("java.class.path"), "-d", out.resolve("classes").toString(),
                "-s", out.resolve("sources").toString(), "-implicit:class",
                "-Acorral.guest.dir=" + out.resolve("guest"));
        var task = compiler.getTask(null, null, diagnostics, options, null, units);
        task.setProcessors(List.of(new CorralProcessor()));
        boolean ok = task.call();
        return new Compilation(ok, diagnostics.getDiagnostics(), out);
    }

    List<String> errors() {
        return messages(Diagnostic.Kind.ERROR);
    }

    List<String> warnings() {
        return messages(Diagnostic.Kind.WARNING);
    }

    private List<String> messages(Diagnostic.Kind kind) {
        return diagnostics.stream().filter(d -> d.getKind() == kind).map(d -> d.getMessage(Locale.ROOT)).collect(Collectors.toList());
    }

    String generated(String qualifiedName) {
        return read(out.resolve("sources").resolve(qualifiedName.replace('.', '/') + ".java"));
    }

    String guest(String file) {
        return read(out.resolve("guest").resolve(file));
    }

    String classOutput(String path) {
        return read(out.resolve("classes").resolve(path));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
