package dev.corral.internal.chicory;

import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Chicory's class collector (it defines each class as it is added, which runs the JVM's verifier),
 * given the classes after Corral's rewrite of Chicory's generated code ({@link DispatchSplitter}),
 * so only rewritten classes are ever defined; the Shaded helper class is left as it is. Chicory
 * asks for one collector per chunk of classes and merges them into the first, so every chunk's
 * classes pass through here.
 */
final class RewritingCollector extends ClassLoadingCollector {
    @Override
    public void putMainClass(String className, byte[] bytes) {
        super.putMainClass(className, DispatchSplitter.split(bytes));
    }

    @Override
    public void put(String name, byte[] bytes) {
        super.put(name, name.endsWith("Shaded") ? bytes : DispatchSplitter.split(bytes));
    }

    /** The classes as the jar Chicory's {@code MachineFactoryCompiler} stores and reads back. */
    byte[] jar() throws IOException {
        var out = new ByteArrayOutputStream();
        try (var jar = new JarOutputStream(out)) {
            var properties = new Properties();
            properties.put("mainClass", mainClassName());
            jar.putNextEntry(new JarEntry("wasm-module.properties"));
            properties.store(jar, "");
            jar.closeEntry();
            for (var e : classBytes().entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey().replace('.', '/') + ".class"));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
