package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.corral.CallInterruptedException;
import dev.corral.CallTimeoutException;
import dev.corral.CompileCache;
import dev.corral.Corral;
import dev.corral.FunctionSignature;
import dev.corral.Plugin;
import dev.corral.PluginPolicy;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Timed calls that cannot reach the host are stopped through the instance's stop word
 * ({@link StopChecks}), without touching the thread's interrupt status; calls that can reach the
 * host keep being interrupted, so a host function blocked in a wait is still woken.
 */
class StopModeTest {
    private static final Duration SHORT = Duration.ofMillis(50);
    private static final Duration LOOSE = Duration.ofSeconds(20); // a runaway must end well before
    private static final List<String> RUNAWAYS = List.of("spin_br", "spin_br_if", "spin_br_table", "spin_nested",
            "spin_indirect", "memory_spin",
            "recurse_forever"); // a tail call to itself, which Corral turns into a loop

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private static byte[] wasm(String name) {
        try (InputStream in = StopModeTest.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            if (in == null) {
                throw new IllegalStateException("fixture " + name + ".wasm missing: is wat2wasm installed (.ci/setup)?");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HostModuleDef env(HostFunctionDef.Implementation nap) {
        return HostModuleDef.of("env", List.of(HostFunctionDef.of("env", "nap", FunctionSignature.of(List.of(), List.of()), nap)));
    }

    private static PluginPolicy policy(boolean metered, Duration timeout, HostFunctionDef.Implementation nap) {
        var b = PluginPolicy.builder().hostModule(env(nap));
        if (timeout != null) {
            b.timeout(timeout);
        }
        if (metered) {
            b.fuel(Long.MAX_VALUE / 4);
        }
        return b.build();
    }

    private static boolean stoppable(Plugin p, String export) {
        return ((ExportHandle) p.function(export)).stoppable;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyRunawayThatCannotReachTheHostIsStoppedWithoutAnInterrupt(boolean metered) {
        try (var corral = Corral.builder().build()) {
            var p = corral.load(wasm("stop_mode")).instantiate(policy(metered, SHORT, (c, a) -> null));
            for (String export : RUNAWAYS) {
                assertTrue(stoppable(p, export), export);
                var e = assertTimeout(LOOSE, () -> assertThrows(CallTimeoutException.class, () -> p.call(export)),
                        export);
                assertEquals(SHORT, e.timeout(), export);
                assertFalse(Thread.currentThread().isInterrupted(), export + ": stop mode never interrupts");
            }
            // recursion has no loop to check: such calls are interrupted (the checks before calls stay Chicory's)
            assertFalse(stoppable(p, "fan_out"));
            assertThrows(CallTimeoutException.class, () -> p.call("fan_out", 60));
            assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt is taken back");
            // and the instance still answers
            assertEquals(5, p.call("add", 2, 3).getInt(0));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theHostsInterruptStillStopsAStoppableCall(boolean metered) {
        try (var corral = Corral.builder().build()) {
            var timed = corral.load(wasm("stop_mode")).instantiate(policy(metered, Duration.ofMinutes(1), (c, a) -> null));
            assertTrue(stoppable(timed, "spin_br_if"));
            Thread.currentThread().interrupt();
            assertThrows(CallInterruptedException.class, () -> timed.call("spin_br_if"));
            assertTrue(Thread.interrupted(), "the host's interrupt status is left set");
            var self = Thread.currentThread();
            var interrupter = new Thread(() -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ignored) {
                    return;
                }
                self.interrupt();
            });
            interrupter.start();
            assertTimeout(LOOSE, () -> assertThrows(CallInterruptedException.class, () -> timed.call("spin_nested")));
            assertTrue(Thread.interrupted());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void callsThatCanReachTheHostAreInterrupted(boolean metered) {
        try (var corral = Corral.builder().build()) {
            var naps = new AtomicInteger();
            var p = corral.load(wasm("stop_mode")).instantiate(policy(metered, SHORT, (c, a) -> {
                naps.incrementAndGet();
                Thread.sleep(60_000); // woken only by the watchdog's interrupt
                return null;
            }));
            assertFalse(stoppable(p, "naps"));
            assertTimeout(LOOSE, () -> assertThrows(CallTimeoutException.class, () -> p.call("naps", 3)));
            assertEquals(1, naps.get());
            assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt is taken back");

            // a table holding a function that reaches the host: every indirect call may reach it
            var q = corral.load(wasm("stop_mode_host_table")).instantiate(policy(metered, SHORT, (c, a) -> null));
            assertFalse(stoppable(q, "indirect"));
            assertTrue(stoppable(q, "direct_pure"));
            assertTrue(stoppable(q, "spin"));
            assertThrows(CallTimeoutException.class, () -> q.call("spin"));
            q.call("indirect", 1);

            // a function reference from the host can name anything: indirect calls may reach the host
            var r = corral.load(wasm("stop_mode_refs")).instantiate(policy(metered, SHORT, (c, a) -> null));
            assertFalse(stoppable(r, "call_given"));
            assertTrue(stoppable(r, "spin"));
            assertThrows(CallTimeoutException.class, () -> r.call("spin"));
        }
    }

    @Test
    void untimedPluginsAndInterpretedOnesKeepTheirBehaviour() {
        try (var corral = Corral.builder().build()) {
            var untimed = corral.load(wasm("stop_mode")).instantiate(policy(false, null, (c, a) -> null));
            assertEquals(7, untimed.call("add", 3, 4).getInt(0));
        }
        try (var corral = Corral.builder().executionMode(dev.corral.ExecutionMode.INTERPRETED).build()) {
            var p = corral.load(wasm("stop_mode")).instantiate(policy(false, SHORT, (c, a) -> null));
            assertFalse(stoppable(p, "spin_br"), "the interpreter checks only the interrupt");
            assertTimeout(LOOSE, () -> assertThrows(CallTimeoutException.class, () -> p.call("spin_br")));
        }
    }

    @Test
    void aWarmStartKnowsWhatReachesTheHost(@TempDir Path dir) {
        for (int run = 0; run < 2; run++) {
            try (var corral = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
                var m = corral.load(wasm("stop_mode"));
                var p = m.instantiate(policy(false, SHORT, (c, a) -> null));
                assertEquals(run == 0 ? 1 : 0, corral.stats().compilations(), "run " + run + ": the classes come from the cache");
                assertTrue(stoppable(p, "spin_br"), "run " + run + ": " + m.compileFacts());
                assertFalse(stoppable(p, "naps"), "run " + run);
                assertThrows(CallTimeoutException.class, () -> p.call("spin_br"));
            }
        }
    }

    @Test
    void theClosingEngineStopsACallInStopMode() throws Exception {
        var corral = Corral.builder().build();
        var p = corral.load(wasm("stop_mode")).instantiate(policy(true, Duration.ofMinutes(1), (c, a) -> null));
        assertTrue(stoppable(p, "spin_br"));
        p.release(); // handed to the caller's thread
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        var caller = new Thread(() -> {
            try {
                p.call("spin_br");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        caller.start();
        Thread.sleep(100);
        corral.close();
        caller.join(LOOSE.toMillis());
        assertFalse(caller.isAlive(), "the engine's close stops the call");
        assertTrue(failure.get() instanceof CallInterruptedException, String.valueOf(failure.get()));
    }

    /** The word stops only the call it names: a stale stop from the watchdog is a no-op. */
    @Test
    void aStopNamesItsCall() {
        var m = new FlatMemory(new MemoryLimits(1, 1));
        assertEquals(0, m.getAsLong());
        m.arm(8 | 4);
        m.stop(16 | 4); // a watchdog's read of another call
        assertEquals(0, m.getAsLong() & 1);
        m.stop(8 | 4);
        assertEquals(1, m.getAsLong() & 1, "the running call is stopped");
        assertTrue(m.disarmStop());
        assertEquals(0, m.getAsLong());
        m.stop(8 | 4); // after the call: nothing
        assertEquals(0, m.getAsLong());
        m.arm(16 | 4);
        m.stop(8 | 4); // the previous call's stop arrives late
        assertEquals(0, m.getAsLong() & 1);
        assertFalse(m.disarmStop());
    }

    /** A memory-free module has no stop word: its timed calls are interrupted as before. */
    @Test
    void withoutAMemoryCallsAreInterrupted() {
        try (var corral = Corral.builder().build()) {
            var p = corral.load(wasm("loops")).instantiate(PluginPolicy.builder().timeout(SHORT).build());
            assertFalse(stoppable(p, "spin_br"));
            assertThrows(CallTimeoutException.class, () -> p.call("spin_br"));
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }
}
