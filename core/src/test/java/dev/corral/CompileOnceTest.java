package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompileOnceTest {
    @Test
    void oneLoadThousandInstancesOneCompilation() {
        try (var corral = Corral.create()) {
            var module = corral.load(Fixtures.wasm("arith"));
            assertEquals(1, corral.stats().compilations());
            for (int i = 0; i < 1000; i++) {
                var p = module.instantiate();
                assertEquals(i + 1, p.call("add", i, 1).getInt(0));
                p.close();
            }
            var stats = corral.stats();
            assertEquals(1, stats.compilations());
            assertEquals(0, stats.cacheHits());
            assertEquals(1000, stats.instances());
            assertEquals(1, stats.modulesLoaded());
        }
    }

    @Test
    void loadingTheSameBytesAgainHitsTheCache() {
        try (var corral = Corral.create()) {
            corral.load(Fixtures.wasm("arith"));
            corral.load(Fixtures.wasm("arith"));
            assertEquals(1, corral.stats().compilations());
            assertEquals(1, corral.stats().cacheHits());
        }
    }

    @Test
    void aDirectoryCacheSurvivesTheEngine(@TempDir Path dir) throws Exception {
        try (var first = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            first.load(Fixtures.wasm("arith"));
            assertEquals(1, first.stats().compilations());
        }
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "the classes and the pre-validator's facts");
        }
        try (var second = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            var p = second.load(Fixtures.wasm("arith")).instantiate();
            assertEquals(0, second.stats().compilations());
            assertEquals(1, second.stats().cacheHits());
            assertEquals(6765, p.call("fib", 20).getInt(0));
        }
    }

    @Test
    void aCorruptCacheEntryCostsACompileNotALoad(@TempDir Path dir) throws Exception {
        try (var first = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            first.load(Fixtures.wasm("arith"));
        }
        try (var files = Files.list(dir)) {
            for (var f : files.toList()) {
                Files.write(f, new byte[] {1, 2, 3});
            }
        }
        try (var second = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            var p = second.load(Fixtures.wasm("arith")).instantiate();
            assertEquals(3, p.call("add", 1, 2).getInt(0));
        }
    }

    @Test
    void interpretedModulesAreNeverCompiled() {
        try (var corral = Corral.builder().executionMode(ExecutionMode.INTERPRETED).build()) {
            corral.load(Fixtures.wasm("arith")).instantiate();
            assertEquals(0, corral.stats().compilations());
        }
    }
}
