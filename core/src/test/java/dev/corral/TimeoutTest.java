package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runaway guests of every loop shape stop at the deadline in both modes. The elapsed-time bound is
 * a correctness check (the call must not run forever), generous enough for a loaded CI machine.
 */
class TimeoutTest {
    private static final PluginPolicy HUNDRED_MS = PluginPolicy.builder().timeout(Duration.ofMillis(100)).build();

    @AfterEach
    void threadIsNotLeftInterrupted() {
        assertFalse(Thread.interrupted(), "the test thread must come back without an interrupt");
    }

    static Stream<Arguments> shapes() {
        return Stream.of("spin_br", "spin_br_if", "spin_br_table", "spin_nested", "recurse_forever")
                .flatMap(s -> Stream.of(ExecutionMode.values()).map(m -> Arguments.of(m, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void everyLoopShapeStopsAtTheDeadline(ExecutionMode mode, String export) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("loops")).instantiate(HUNDRED_MS);
            long t0 = System.nanoTime();
            var thrown = assertThrows(CorralException.class, () -> p.call(export));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // recurse_forever's tail call to itself runs as a loop in both modes (TailCalls): it
            // used to exhaust the JVM stack compiled and run until the deadline interpreted
            var e = assertInstanceOf(CallTimeoutException.class, thrown);
            assertTrue(ms >= 95 && ms < 5_000, "stopped after " + ms + " ms");
            assertEquals(Duration.ofMillis(100), e.timeout());
            assertTrue(e.getMessage().contains("'" + export + "' exceeded its timeout of 100ms"), e.getMessage());
            assertFalse(Thread.currentThread().isInterrupted());
            // the plugin is still usable, and fast calls are not disturbed by a stale deadline
            assertStillUsable(p);
        }
    }

    /**
     * The plugin answers again after a timeout. A later call may only time out after its own full
     * deadline (a loaded 2-core machine can stall a thread for 100 ms), never early: an early
     * timeout would be a stale deadline from the stopped call.
     */
    private static void assertStillUsable(Plugin p) {
        int ok = 0;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            try {
                assertEquals(10, p.call("count", 10).getInt(0));
                ok++;
            } catch (CallTimeoutException e) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms >= 95, "a fast call timed out after " + ms + " ms: stale deadline");
            }
        }
        assertTrue(ok > 0, "the plugin never answered again");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aStartFunctionThatNeverReturnsIsStoppedToo(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.load(Fixtures.wasm("start_loop"));
            assertThrows(CallTimeoutException.class, () -> m.instantiate(HUNDRED_MS));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aThreadInterruptedByTheHostStaysInterrupted(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("loops")).instantiate(HUNDRED_MS);
            Thread.currentThread().interrupt();
            assertThrows(CallInterruptedException.class, () -> p.call("spin_br_if"));
            assertTrue(Thread.interrupted(), "interrupt status must be preserved (and is cleared here)");
            // without a timeout, the host's interrupt still stops a runaway guest
            var unbounded = corral.load(Fixtures.wasm("loops")).instantiate();
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
            assertThrows(CallInterruptedException.class, () -> unbounded.call("spin_br_table"));
            assertTrue(Thread.interrupted());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void fastCallsUnderATimeoutReturnNormally(ExecutionMode mode) {
        // a generous deadline: this checks that no stale interrupt leaks into later calls, and a
        // loaded 2-core CI machine can deschedule a thread for 100 ms
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("loops")).instantiate(PluginPolicy.builder().timeout(Duration.ofSeconds(2)).build());
            for (int i = 0; i < 2000; i++) {
                assertEquals(10, p.call("count", 10).getInt(0));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void afterTheEngineClosesATimedCallFailsInsteadOfRunningUnguarded(ExecutionMode mode) {
        var corral = Fixtures.engine(mode);
        var p = corral.load(Fixtures.wasm("loops")).instantiate(HUNDRED_MS);
        assertEquals(10, p.call("count", 10).getInt(0));
        corral.close();
        var e = assertThrows(IllegalStateException.class, () -> p.call("spin_br_if"));
        assertTrue(e.getMessage().contains("engine is closed"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void manyPluginsWithDeadlinesEachStopOnTheirOwn(ExecutionMode mode) throws Exception {
        try (var corral = Fixtures.engine(mode)) {
            var module = corral.load(Fixtures.wasm("loops"));
            var plugins = new java.util.ArrayList<Plugin>();
            for (int i = 0; i < 200; i++) {
                var p = module.instantiate(HUNDRED_MS);
                assertEquals(10, p.call("count", 10).getInt(0));
                plugins.add(p);
            }
            plugins.subList(0, 100).forEach(Plugin::close);
            var last = plugins.get(199);
            assertThrows(CallTimeoutException.class, () -> last.call("spin_br"));
            assertStillUsable(last);
        }
    }
}
