package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, item 11: Corral.close() during a timed call stops it (it never stopped before), and
 * after close nothing new starts: loads, instantiations (whose start function could loop
 * unbounded) and calls with a timeout or fuel fail fast.
 */
class EngineCloseTest {
    private static final PluginPolicy MINUTE = PluginPolicy.builder().timeout(Duration.ofMinutes(1)).build();

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void closeStopsARunningTimedCall(ExecutionMode mode) throws Exception {
        var corral = Fixtures.engine(mode);
        var p = corral.load(Fixtures.wasm("loops")).instantiate(MINUTE);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            var started = new CountDownLatch(1);
            Future<Throwable> call = pool.submit(() -> {
                started.countDown();
                try {
                    p.call("spin_br_if");
                    return null;
                } catch (Throwable t) {
                    return t;
                } finally {
                    assertFalse(Thread.currentThread().isInterrupted(), "the stop's interrupt leaked into the thread");
                }
            });
            started.await();
            Thread.sleep(200);
            long closedAt = System.nanoTime();
            corral.close();
            Throwable t = call.get(10, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - closedAt) / 1_000_000;
            var e = assertInstanceOf(CallInterruptedException.class, t);
            assertTrue(e.getMessage().contains("the Corral engine was closed"), e.getMessage());
            assertTrue(millis < 2_000, "the call ended " + millis + " ms after close, its deadline was a minute");
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void nothingNewStartsOnAClosedEngine(ExecutionMode mode) {
        var corral = Fixtures.engine(mode);
        var loops = corral.load(Fixtures.wasm("loops"));
        var startLoop = corral.load(Fixtures.wasm("start_loop"));
        var metered = loops.instantiate(PluginPolicy.builder().fuel(1_000_000).build());
        var plain = loops.instantiate();
        corral.close();
        long start = System.nanoTime();
        // the start function loops forever: without the check it ran unbounded (no watchdog, no policy timeout)
        var e = assertThrows(IllegalStateException.class, () -> startLoop.instantiate());
        assertTrue(e.getMessage().contains("engine is closed: cannot instantiate"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> loops.instantiate(MINUTE));
        assertThrows(IllegalStateException.class, () -> corral.load(Fixtures.wasm("loops")));
        assertThrows(IllegalStateException.class, () -> metered.call("count", 10));
        assertThrows(IllegalStateException.class, () -> PluginPool.builder(loops).maxSize(1).build().borrow());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 2_000);
        // a plugin with no timeout and no fuel depends on nothing the engine runs: it carries on
        assertEquals(10, plain.call("count", 10).getInt(0));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void callsRacingTheCloseEitherFinishOrFailTyped(ExecutionMode mode) throws Exception {
        var corral = Fixtures.engine(mode);
        var module = corral.load(Fixtures.wasm("loops"));
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<String>> results = new ArrayList<>();
            var go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                boolean spin = t % 2 == 0;
                var p = module.instantiate(MINUTE);
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        for (int i = 0; ; i++) {
                            if (spin) {
                                p.call("spin_br");
                            } else {
                                p.call("count", 100);
                            }
                        }
                    } catch (IllegalStateException | CallInterruptedException e) {
                        return e.getClass().getSimpleName();
                    }
                }));
            }
            go.countDown();
            Thread.sleep(100);
            corral.close();
            for (var f : results) {
                // every caller ends promptly, with one of the two typed outcomes
                String outcome = f.get(10, TimeUnit.SECONDS);
                assertTrue(outcome.equals("IllegalStateException") || outcome.equals("CallInterruptedException"), outcome);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
