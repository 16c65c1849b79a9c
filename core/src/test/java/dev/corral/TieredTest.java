package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tiered compilation: a module loads at once and its first instances run in the interpreter while
 * the engine's compiler thread works; instances made after that run compiled, with the same
 * results and the same fuel. The compile cache holds the compiler thread at a gate, so every
 * step is deterministic.
 */
class TieredTest {
    /** An in-memory cache whose lookups from the compiler thread wait for {@link #open}. */
    static final class GatedCache implements CompileCache {
        final CompileCache mem = CompileCache.inMemory();
        final CountDownLatch gate = new CountDownLatch(1);

        void open() {
            gate.countDown();
        }

        @Override
        public byte[] get(String key) throws IOException {
            if (Thread.currentThread().getName().equals("corral-compiler")) {
                try {
                    assertTrue(gate.await(60, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            return mem.get(key);
        }

        @Override
        public void putIfAbsent(String key, byte[] data) throws IOException {
            mem.putIfAbsent(key, data);
        }
    }

    /** Whether the trap's original stack went through Chicory's interpreter. */
    static boolean interpreted(Plugin p) {
        var e = assertThrows(TrapException.class, () -> p.call("unreachable"));
        Throwable t = e;
        while (t != null) {
            if (Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().contains("InterpreterMachine"))) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }

    @Test
    void firstInstancesInterpretedLaterOnesCompiled() throws Exception {
        var cache = new GatedCache();
        try (var corral = Corral.builder().compileCache(cache).tieredCompilation(true).build()) {
            var module = corral.load(Fixtures.wasm("traps"));
            assertEquals(ExecutionMode.COMPILED, module.executionMode());
            assertFalse(module.awaitCompiled(Duration.ofMillis(20)), "the compiler waits at the gate");
            var early = module.instantiate();
            assertEquals(42, early.call("ok").getInt(0));
            assertTrue(interpreted(early));

            cache.open();
            assertTrue(module.awaitCompiled(Duration.ofSeconds(60)));
            var late = module.instantiate();
            assertEquals(42, late.call("ok").getInt(0));
            assertFalse(interpreted(late));
            assertTrue(interpreted(early), "an instance keeps the code it was made with");
            assertEquals(1, corral.stats().compilations());
        }
    }

    @Test
    void fuelIsTheSameInBothTiers() throws Exception {
        var cache = new GatedCache();
        try (var corral = Corral.builder().compileCache(cache).tieredCompilation(true).build()) {
            var module = corral.load(Fixtures.wasm("arith"));
            var policy = PluginPolicy.builder().fuel(10_000_000).build();
            var early = module.instantiate(policy);
            assertEquals(55, early.call("fib", 10).getInt(0));
            long fuel = early.fuelConsumed();
            cache.open();
            assertTrue(module.awaitCompiled(Duration.ofSeconds(60)));
            var late = module.instantiate(policy);
            assertEquals(55, late.call("fib", 10).getInt(0));
            assertEquals(fuel, late.fuelConsumed());
        }
    }

    @Test
    void aPoolReplacesItsInterpretedInstancesAsTheyComeBack() throws Exception {
        var cache = new GatedCache();
        try (var corral = Corral.builder().compileCache(cache).tieredCompilation(true).build()) {
            var module = corral.load(Fixtures.wasm("traps"));
            try (var pool = PluginPool.builder(module).maxSize(1).build()) {
                var lease = pool.borrow();
                assertEquals(42, lease.plugin().call("ok").getInt(0));
                cache.open();
                assertTrue(module.awaitCompiled(Duration.ofSeconds(60)));
                lease.close();                                        // superseded: discarded, not reset
                assertEquals(1, pool.stats().discards());
                boolean compiled = pool.apply(p -> !interpreted(p));
                assertTrue(compiled);
                assertEquals(2, pool.stats().created());
            }
        }
    }

    @Test
    void aModuleTheCacheHoldsLoadsCompiledAtOnce() throws Exception {
        var cache = CompileCache.inMemory();
        byte[] wasm = Fixtures.wasm("traps");
        try (var corral = Corral.builder().compileCache(cache).build()) {
            corral.load(wasm);                                         // fills the cache
        }
        try (var corral = Corral.builder().compileCache(cache).tieredCompilation(true).build()) {
            var module = corral.load(wasm);
            assertTrue(module.awaitCompiled(Duration.ZERO));
            assertFalse(interpreted(module.instantiate()));
            assertEquals(1, corral.stats().cacheHits());
        }
    }

    @Test
    void interpretedModulesNeverCompile() throws Exception {
        try (var corral = Corral.builder().executionMode(ExecutionMode.INTERPRETED).tieredCompilation(true).build()) {
            var module = corral.load(Fixtures.wasm("traps"));
            assertFalse(module.awaitCompiled(Duration.ofMillis(10)));
            assertTrue(interpreted(module.instantiate()));
        }
    }
}
