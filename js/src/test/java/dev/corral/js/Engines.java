package dev.corral.js;

import dev.corral.CompileCache;
import dev.corral.Corral;
import java.nio.file.Path;

/**
 * One QuickJS engine for every test class of the run: compiling it is the expensive part (seconds),
 * and a directory compile cache (target/corral-cache) keeps later runs fast too.
 */
final class Engines {
    private static JsEngine compiled;

    private Engines() {}

    static synchronized JsEngine compiled() {
        if (compiled == null) {
            String dir = System.getProperty("corral.test.cache");
            var b = Corral.builder();
            if (dir != null) {
                b.compileCache(CompileCache.directory(Path.of(dir)));
            }
            compiled = JsEngine.load(b.build());
        }
        return compiled;
    }
}
