package dev.corral.guestsdks;

import dev.corral.Corral;
import dev.corral.Plugin;
import dev.corral.PluginPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The examples build.sh put into guest-sdks/out (the build runs it before the tests). */
final class Examples {
    static final List<String> LANGUAGES = List.of("c", "rust", "assemblyscript");
    static final Path OUT = Path.of("out");

    private Examples() {}

    static Path wasm(String language, String example) {
        Path p = OUT.resolve(language + "-" + example + ".wasm");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p.toAbsolutePath() + " is missing: run guest-sdks/build.sh (the Maven build does)");
        }
        return p;
    }

    /** Loads and instantiates an example; a WASI reactor is initialized first, as wasmtime and the CLI do. */
    static Plugin instantiate(Corral corral, String language, String example, PluginPolicy policy) {
        Path p = wasm(language, example);
        var module = corral.loader().name(language + "-" + example).load(p);
        Plugin plugin = module.instantiate(policy);
        if (module.exportedFunction("_initialize").isPresent()) {
            plugin.function("_initialize").callRaw();
        }
        return plugin;
    }
}
