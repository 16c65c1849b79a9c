package dev.corral.internal.chicory;

import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Chicory's class collector (it defines each class as it is added, which runs the JVM's verifier),
 * given the classes after Corral's rewrites of Chicory's generated code ({@link DispatchSplitter},
 * then {@link StopChecks}), so only rewritten classes are ever defined; the Shaded helper class
 * only gains the stop check the others call. Chicory
 * asks for one collector per chunk of classes and merges them into the first, so every chunk's
 * classes pass through here.
 */
final class RewritingCollector extends ClassLoadingCollector {
    private final StopChecks.Plan stops;

    RewritingCollector(StopChecks.Plan stops) {
        this.stops = stops;
    }

    @Override
    public void putMainClass(String className, byte[] bytes) {
        super.putMainClass(className, rewrite(bytes));
    }

    @Override
    public void put(String name, byte[] bytes) {
        if (name.endsWith("Shaded")) {
            byte[] shaded = StopChecks.addToShaded(bytes);
            if (shaded == bytes) {
                // the other classes call checkStop: without it the module must compile unrewritten
                throw new VerifyError("could not add the stop check to " + name);
            }
            super.put(name, shaded);
        } else {
            super.put(name, rewrite(bytes));
        }
    }

    private byte[] rewrite(byte[] bytes) {
        return StopChecks.rewrite(DispatchSplitter.split(bytes), stops);
    }

    /**
     * The classes as the jar Chicory's {@code MachineFactoryCompiler} stores and reads back, with
     * the stop checks' plan (read back by {@link CompiledCode}).
     */
    byte[] jar() throws IOException {
        var out = new ByteArrayOutputStream();
        try (var jar = new JarOutputStream(out)) {
            var properties = new Properties();
            properties.put("mainClass", mainClassName());
            jar.putNextEntry(new JarEntry("wasm-module.properties"));
            properties.store(jar, "");
            jar.closeEntry();
            jar.putNextEntry(new JarEntry(CompiledCode.STOP_PLAN_ENTRY));
            jar.write(stops.complete() ? 1 : 0);
            jar.write(stops.interruptOnly.toByteArray());
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
