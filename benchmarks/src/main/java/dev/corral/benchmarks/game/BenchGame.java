package dev.corral.benchmarks.game;

import dev.corral.CompileCache;
import dev.corral.Corral;
import dev.corral.game.mods.ModContext;
import dev.corral.game.mods.ModHost;
import dev.corral.game.mods.TickScope;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A game for the mod host with nothing in it: the benchmarks measure the host's own cost per
 * tick (fuel, deadline, snapshot, scope), not a world's rules.
 */
final class BenchGame implements ModHost.Game<BenchGame.Api> {
    /** The API a mod sees: one query. */
    public interface Api {
        int answer();
    }

    /** Counts what the host asks of the game, so the JIT cannot drop it. */
    static final class Scope implements Api, TickScope {
        long begun;
        long committed;
        long rolledBack;

        @Override
        public int answer() {
            return 42;
        }

        @Override
        public void begin(long tick) {
            begun++;
        }

        @Override
        public void commit() {
            committed++;
        }

        @Override
        public void rollback() {
            rolledBack++;
        }
    }

    @Override
    public Class<Api> api() {
        return Api.class;
    }

    @Override
    public String apiName() {
        return "game";
    }

    @Override
    public Api bind(ModContext mod) {
        return new Scope();
    }

    @Override
    public TickScope scope(Api api) {
        return (Scope) api;
    }

    @Override
    public HostModuleDef wasmBindings(Api api) {
        return HostModuleDef.of("game", List.of());
    }

    /** An engine with a compile cache under benchmarks/target, so forks after the first skip compiling QuickJS. */
    static Corral corral() {
        return Corral.builder().compileCache(CompileCache.directory(Path.of(System.getProperty("corral.bench.cache",
                "benchmarks/target/corral-cache")))).build();
    }

    static byte[] wasm(String name) {
        try (InputStream in = BenchGame.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            if (in == null) {
                throw new IllegalStateException(name + ".wasm missing: the build compiles src/main/wat with wat2wasm");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
