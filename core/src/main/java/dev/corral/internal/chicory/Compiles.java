package dev.corral.internal.chicory;

import dev.corral.internal.Engine;
import dev.corral.internal.events.CompileEvent;
import dev.corral.internal.events.Events;
import java.util.function.Supplier;

/** Times one compilation for {@link dev.corral.EngineStats#compileTime()} and the JFR compile event. */
final class Compiles {
    private Compiles() {}

    static <T> T record(Engine engine, String module, int size, String variant, Supplier<T> compile) {
        var event = Events.jfr() ? new CompileEvent() : null;
        if (event != null) {
            event.begin();
        }
        long t0 = System.nanoTime();
        String outcome = "failed";
        CacheAdapter.takeLastHit();
        try {
            T factory = compile.get();
            outcome = factory == null ? "cache entry unusable" : "compiled";
            return factory;
        } finally {
            engine.addCompileTime(System.nanoTime() - t0);
            if (event != null) {
                event.end();
            }
            if (event != null && event.shouldCommit()) {
                event.module = module;
                event.size = size;
                event.variant = variant;
                event.cacheHit = CacheAdapter.takeLastHit();
                event.outcome = outcome;
                event.commit();
            } else {
                CacheAdapter.takeLastHit();
            }
        }
    }
}
