package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PluginPool: fresh state on every borrow, faulted instances never reused, bounded, hot reload, close. */
class PluginPoolTest {
    private static PluginPolicy policy() {
        return PluginSnapshotTest.policy().timeout(Duration.ofSeconds(5)).build();
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void everyBorrowSeesTheSnapshot(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode);
                var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).maxSize(2).build()) {
            for (int n = 0; n < 10_000; n++) {
                int i = n;
                int seen = pool.apply(p -> {
                    int v = p.call("bump").getInt(0); // global and memory page 0
                    p.call("store", 65_536 - 4, i); // the last word of the page
                    return v;
                });
                assertEquals(1, seen, "borrow " + i);
            }
            var s = pool.stats();
            assertEquals(10_000, s.borrows());
            assertEquals(10_000, s.resets());
            assertEquals(1, s.created(), "one thread: one instance, reset every time");
            assertEquals(0, s.discards());
        }
    }

    @Test
    void tryBorrowHandsOutOnlyIdleInstancesAndNeverWaits() {
        try (var corral = Corral.create();
                var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).maxSize(2)
                        .borrowTimeout(Duration.ofSeconds(30)).build()) {
            assertTrue(pool.tryBorrow().isEmpty(), "nothing made yet: nothing idle");
            assertEquals(0, pool.stats().size(), "tryBorrow makes no instance");
            pool.accept(p -> p.call("bump"));
            try (PooledPlugin idle = pool.tryBorrow().orElseThrow()) {
                assertEquals(1, idle.plugin().call("bump").getInt(0), "an idle instance, reset as any borrow is");
                long t0 = System.nanoTime();
                assertTrue(pool.tryBorrow().isEmpty(), "the only instance is out");
                assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "did not wait for the borrow timeout");
                assertEquals(1, pool.stats().size(), "still one instance: tryBorrow does not make the second");
            }
            var s = pool.stats();
            assertEquals(1, s.idle());
            assertEquals(0, s.borrowed());
            assertEquals(2, s.borrows());
            pool.close();
            assertTrue(pool.tryBorrow().isEmpty(), "closed: empty, not an exception (maintenance threads may race close)");
        }
    }

    @Test
    void grownMemoryShrinksBackForTheNextBorrower() {
        try (var corral = Corral.create(); var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).build()) {
            pool.accept(p -> {
                assertEquals(1, p.call("grow", 10).getInt(0));
                p.call("store", 10 * 65_536, 5);
            });
            pool.accept(p -> {
                assertEquals(1, p.memoryPages());
                assertEquals(1, p.call("grow", 10).getInt(0));
                assertEquals(0, p.call("load", 10 * 65_536).getInt(0), "grown pages are zero again");
            });
        }
    }

    @Test
    void theInitializersEffectsAreInEveryBorrow() {
        var runs = new AtomicInteger();
        try (var corral = Corral.create();
                var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).maxSize(3)
                        .initializer(p -> {
                            runs.incrementAndGet();
                            p.call("set_counter", 100);
                            p.call("store", 1000, 4242);
                        }).build()) {
            for (int i = 0; i < 50; i++) {
                pool.accept(p -> {
                    assertEquals(101, p.call("bump").getInt(0));
                    assertEquals(4242, p.call("load", 1000).getInt(0));
                    p.call("store", 1000, 0);
                });
            }
            assertEquals(1, runs.get(), "once per instance, not per borrow");
        }
    }

    /** Every kind of failure: the instance is closed, not reused, and the next borrow is clean. */
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aFaultedLeaseIsNeverReused(ExecutionMode mode) {
        var timed = policy(); // 5 s: only the endless loop gets the short timeout, so a busy machine cannot turn a trap into a timeout
        var spinning = PluginSnapshotTest.policy().timeout(Duration.ofMillis(100)).build();
        var metered = PluginSnapshotTest.policy().fuel(100_000).build();
        try (var corral = Fixtures.engine(mode)) {
            var module = corral.load(Fixtures.wasm("pool"));
            for (var c : List.of(
                    new Object[] {"dirty_then_trap", timed, TrapException.class},
                    new Object[] {"dirty_then_spin", spinning, CallTimeoutException.class},
                    new Object[] {"dirty_then_spin", metered, FuelExhaustedException.class},
                    new Object[] {"dirty_then_recurse", timed, StackExhaustedException.class},
                    new Object[] {"dirty_then_host_fail", timed, HostFunctionException.class},
                    new Object[] {"dirty_then_exit", timed, PluginExitException.class})) {
                String export = (String) c[0];
                try (var pool = PluginPool.builder(module).policy((PluginPolicy) c[1]).maxSize(1).build()) {
                    Plugin[] faulted = new Plugin[1];
                    var e = assertThrows(CorralException.class, () -> pool.accept(p -> {
                        faulted[0] = p;
                        p.call(export);
                    }));
                    assertInstanceOf((Class<?>) c[2], e, export);
                    var s = pool.stats();
                    assertEquals(1, s.discards(), export);
                    assertEquals(0, s.size(), export);
                    pool.accept(p -> {
                        assertNotSame(faulted[0], p, export + ": a new instance");
                        assertEquals(0, p.call("counter").getInt(0), export);
                        assertEquals(0, p.call("load", 0).getInt(0), export);
                    });
                    assertEquals(2, pool.stats().created(), export);
                    assertThrows(IllegalStateException.class, () -> faulted[0].call("counter"), "closed");
                }
            }
        }
    }

    @Test
    void eightThreadsShareThreeInstances() throws Exception {
        try (var corral = Corral.create();
                var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).maxSize(3).build()) {
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    results.add(threads.submit(() -> {
                        int ok = 0;
                        for (int i = 0; i < 2_000; i++) {
                            int x = thread * 10_000 + i;
                            int[] got = pool.apply(p -> {
                                p.call("store", 64, x);
                                return new int[] {p.call("bump").getInt(0), p.call("load", 64).getInt(0)};
                            });
                            if (got[0] == 1 && got[1] == x) {
                                ok++;
                            }
                        }
                        return ok;
                    }));
                }
                for (var f : results) {
                    assertEquals(2_000, f.get(2, TimeUnit.MINUTES));
                }
            } finally {
                threads.shutdownNow();
            }
            var s = pool.stats();
            assertEquals(16_000, s.borrows());
            assertTrue(s.created() <= 3, "created " + s.created());
            assertEquals(0, s.borrowed());
            assertTrue(s.waits() > 0, "8 threads on 3 instances must have waited");
        }
    }

    @Test
    void aBorrowThatWaitsTooLongFailsTyped() throws Exception {
        try (var corral = Corral.create();
                var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).maxSize(1)
                        .borrowTimeout(Duration.ofMillis(100)).build()) {
            try (var held = pool.borrow()) {
                var other = Executors.newSingleThreadExecutor();
                try {
                    long t0 = System.nanoTime();
                    var f = other.submit(pool::borrow);
                    var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                    assertInstanceOf(PoolExhaustedException.class, e.getCause());
                    assertTrue(e.getCause().getMessage().contains("maxSize"), e.getCause().getMessage());
                    assertTrue(System.nanoTime() - t0 >= 90_000_000L);
                } finally {
                    other.shutdownNow();
                }
                held.plugin().call("bump");
            }
            var s = pool.stats();
            assertEquals(1, s.waits());
            assertTrue(s.totalWait().toMillis() >= 90, s.toString());
        }
    }

    @Test
    void misuseFailsLoudly() throws Exception {
        try (var corral = Corral.create(); var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).build()) {
            var lease = pool.borrow();
            Plugin p = lease.plugin();
            var other = Executors.newSingleThreadExecutor();
            try {
                var closeElsewhere = other.submit(lease::close);
                var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> closeElsewhere.get(10, TimeUnit.SECONDS));
                assertInstanceOf(IllegalStateException.class, e.getCause());
                var callElsewhere = other.submit(() -> p.call("bump"));
                e = assertThrows(java.util.concurrent.ExecutionException.class, () -> callElsewhere.get(10, TimeUnit.SECONDS));
                assertInstanceOf(IllegalStateException.class, e.getCause());
            } finally {
                other.shutdownNow();
            }
            lease.close();
            lease.close(); // twice: nothing
            var afterReturn = assertThrows(IllegalStateException.class, () -> p.call("bump"));
            assertTrue(afterReturn.getMessage().contains("returned to its pool"), afterReturn.getMessage());
            assertThrows(IllegalStateException.class, lease::plugin);
            try (var again = pool.borrow()) {
                assertSame(p, again.plugin(), "the same instance, lent again");
                assertEquals(1, again.plugin().call("bump").getInt(0));
            }
        }
    }

    @Test
    void aBorrowerThatClosesThePluginJustLosesIt() {
        try (var corral = Corral.create(); var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).build()) {
            pool.accept(Plugin::close);
            assertEquals(1, pool.stats().discards());
            assertEquals(1, (int) pool.<Integer>apply(p -> p.call("bump").getInt(0)));
        }
    }

    @Test
    void resetNoneKeepsWarmStateButNotFaults() {
        try (var corral = Corral.create();
                var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).maxSize(1).reset(Reset.NONE).build()) {
            assertEquals(1, (int) pool.<Integer>apply(p -> p.call("bump").getInt(0)));
            assertEquals(2, (int) pool.<Integer>apply(p -> p.call("bump").getInt(0)));
            assertThrows(TrapException.class, () -> pool.accept(p -> p.call("dirty_then_trap")));
            assertEquals(1, (int) pool.<Integer>apply(p -> p.call("bump").getInt(0)), "a faulted instance is replaced even without resets");
            assertEquals(0, pool.stats().resets());
        }
    }

    @Test
    void minIdleWarmsUpFront() {
        var runs = new AtomicInteger();
        try (var corral = Corral.create();
                var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).maxSize(4).minIdle(3)
                        .initializer(p -> runs.incrementAndGet()).build()) {
            assertEquals(3, runs.get());
            var s = pool.stats();
            assertEquals(3, s.idle());
            assertEquals(3, s.created());
            assertEquals(0, s.borrows());
        }
        assertThrows(IllegalArgumentException.class, () -> PluginPool.builder(Corral.create().load(Fixtures.wasm("pool"))).maxSize(1).minIdle(2).build());
    }

    @Test
    void linkingFailsAtBuildNotAtTheFirstBorrow() {
        try (var corral = Corral.create()) {
            var module = corral.load(Fixtures.wasm("pool"));
            var e = assertThrows(UnlinkableModuleException.class, () -> PluginPool.builder(module).build());
            assertTrue(e.getMessage().contains("host_fail"), e.getMessage());
            var initFails = PluginPool.builder(module).policy(policy()).initializer(p -> p.call("dirty_then_trap")).build();
            assertThrows(TrapException.class, initFails::borrow);
            assertEquals(0, initFails.stats().size());
            var initCatches = PluginPool.builder(module).policy(policy()).initializer(p -> {
                try {
                    p.call("dirty_then_trap");
                } catch (TrapException ignored) {
                    // swallowed: the pool must still refuse the dirty instance
                }
            }).build();
            var refused = assertThrows(CorralException.class, initCatches::borrow);
            assertTrue(refused.getMessage().contains("initializer"), refused.getMessage());
        }
    }

    /** Hot reload while 4 threads call: every call answered, by the old or the new module; old instances closed. */
    @Test
    void replaceUnderLoad() throws Exception {
        try (var corral = Corral.create()) {
            var v1 = corral.load(Fixtures.wasm("pool"));
            var v2 = corral.load(Fixtures.wasm("pool"));
            Set<Plugin> seenV1 = ConcurrentHashMap.newKeySet();
            try (var pool = PluginPool.builder(v1).policy(policy()).maxSize(4)
                    .initializer(p -> p.call("set_counter", p.module() == v1 ? 1000 : 2000)).build()) {
                var stop = new AtomicBoolean();
                var failures = new AtomicInteger();
                var answers = ConcurrentHashMap.<Integer>newKeySet();
                var started = new CountDownLatch(4);
                ExecutorService threads = Executors.newFixedThreadPool(4);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    done.add(threads.submit(() -> {
                        started.countDown();
                        while (!stop.get()) {
                            try {
                                int v = pool.apply(p -> {
                                    if (p.module() == v1) {
                                        seenV1.add(p);
                                    }
                                    return p.call("bump").getInt(0);
                                });
                                answers.add(v);
                            } catch (RuntimeException e) {
                                failures.incrementAndGet();
                            }
                        }
                    }));
                }
                started.await();
                Thread.sleep(100);
                pool.replace(v2);
                assertSame(v2, pool.module());
                Thread.sleep(100);
                stop.set(true);
                for (var f : done) {
                    f.get(1, TimeUnit.MINUTES);
                }
                threads.shutdown();
                assertEquals(0, failures.get());
                assertEquals(Set.of(1001, 2001), answers, "answered by the old and then the new module only");
                assertTrue(pool.apply(p -> p.module()) == v2);
                for (Plugin old : seenV1) {
                    var e = assertThrows(IllegalStateException.class, () -> old.call("counter"));
                    assertTrue(e.getMessage().contains("closed"), e.getMessage());
                }
            }
        }
    }

    @Test
    void aBadReplacementIsRefusedAndTheOldModuleKeepsServing() {
        try (var corral = Corral.create()) {
            var good = corral.load(Fixtures.wasm("pool"));
            Function<Plugin, Integer> bump = p -> p.call("bump").getInt(0);
            try (var pool = PluginPool.builder(good).policy(policy()).build()) {
                assertEquals(1, (int) pool.apply(bump));
                var unlinkable = corral.load(Fixtures.wasm("imports"));
                assertThrows(UnlinkableModuleException.class, () -> pool.replace(unlinkable));
                assertSame(good, pool.module());
                var startTraps = corral.load(Fixtures.wasm("start_trap"));
                assertThrows(CorralException.class, () -> pool.replace(startTraps));
                assertSame(good, pool.module());
                assertEquals(1, (int) pool.apply(bump));
            }
        }
    }

    @Test
    void closeWaitsForLeasesThenRefusesBorrows() throws Exception {
        try (var corral = Corral.create()) {
            var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).maxSize(2)
                    .closeTimeout(Duration.ofSeconds(10)).build();
            var borrowed = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            Plugin[] out = new Plugin[1];
            var holder = Executors.newSingleThreadExecutor();
            try {
                var held = holder.submit(() -> pool.accept(p -> {
                    out[0] = p;
                    borrowed.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    p.call("bump");
                }));
                borrowed.await();
                pool.accept(p -> p.call("bump")); // a second, idle instance
                var closer = Executors.newSingleThreadExecutor();
                var closing = closer.submit(pool::close);
                Thread.sleep(100);
                assertTrue(!closing.isDone(), "close waits for the lease out");
                assertThrows(IllegalStateException.class, pool::borrow);
                release.countDown();
                held.get(10, TimeUnit.SECONDS);
                closing.get(10, TimeUnit.SECONDS);
                closer.shutdown();
                assertEquals(0, pool.stats().size());
                assertThrows(IllegalStateException.class, () -> out[0].call("counter"), "closed on return");
            } finally {
                holder.shutdownNow();
            }
        }
    }

    @Test
    void theModuleShortcutHasTheDefaults() {
        try (var corral = Corral.create(); var pool = corral.load(Fixtures.wasm("pool")).pool(policy())) {
            assertEquals(1, (int) pool.<Integer>apply(p -> p.call("bump").getInt(0)));
            assertEquals(1, (int) pool.<Integer>apply(p -> p.call("bump").getInt(0)));
        }
    }

    /**
     * Random writes, fills, grows, global and table changes and traps inside each borrow; the next
     * borrow's memory (bytes and size), globals and table equal the snapshot byte for byte.
     */
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void randomBorrowersLeaveNoTrace(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode);
                var pool = PluginPool.builder(corral.load(Fixtures.wasm("pool"))).policy(policy()).maxSize(1)
                        .initializer(p -> {
                            p.call("set_counter", 17);
                            p.call("fill", 5000, 0x33, 9000);
                        }).build()) {
            byte[] fresh = pool.apply(PluginSnapshotTest::memory);
            var rnd = new java.util.Random(2026);
            for (int borrow = 0; borrow < 300; borrow++) {
                int b = borrow;
                pool.accept(p -> {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(fresh, PluginSnapshotTest.memory(p), "borrow " + b);
                    assertEquals(17, p.call("counter").getInt(0), "borrow " + b);
                    assertEquals(7L, p.call("wide").getLong(0), "borrow " + b);
                    assertEquals(2, p.call("table_size").getInt(0), "borrow " + b);
                    for (int op = rnd.nextInt(20); op > 0; op--) {
                        int size = p.memoryPages() * 65536;
                        switch (rnd.nextInt(6)) {
                            case 0 -> p.call("store", rnd.nextInt(size - 3), rnd.nextInt());
                            case 1 -> p.call("fill", 0, rnd.nextInt(256), rnd.nextInt(size));
                            case 2 -> p.call("grow", rnd.nextInt(3));
                            case 3 -> p.call("set_wide", rnd.nextLong());
                            case 4 -> p.call("table_grow", rnd.nextInt(3));
                            default -> p.call("set_counter", rnd.nextInt());
                        }
                    }
                });
                if (rnd.nextInt(5) == 0) {
                    assertThrows(TrapException.class, () -> pool.accept(p -> p.call("dirty_then_trap")));
                }
            }
            assertTrue(pool.stats().discards() > 0);
        }
    }
}
