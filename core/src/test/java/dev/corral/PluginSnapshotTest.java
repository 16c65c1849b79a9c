package dev.corral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.Capability;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Plugin.snapshot() / restore(): every kind of state comes back, at the cost of what changed. */
class PluginSnapshotTest {
    static final FunctionSignature VOID = FunctionSignature.of(List.of(), List.of());

    static PluginPolicy.Builder policy() {
        return PluginPolicy.builder().hostModule(HostModuleDef.of("env", List.of(
                HostFunctionDef.of("env", "host_fail", VOID, (c, a) -> {
                    throw new java.io.IOException("host down");
                }))));
    }

    /** Memory bytes, size and globals, as a guest would see them. */
    static byte[] memory(Plugin p) {
        return p.memory().read(0, p.memoryPages() * 65536);
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void everyKindOfStateComesBack(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("pool")).instantiate(policy().build())) {
            p.call("store", 4096 * 3, 11);
            var snap = p.snapshot();
            byte[] before = memory(p);

            p.call("bump");
            assertEquals(1, p.call("grow", 3).getInt(0));
            p.call("store", 70_000, 42);
            p.call("store64", 4094, -1L); // spills from one 4 KiB chunk into the next
            p.call("fill", 200, 0x5a, 5000);
            p.call("copy", 9000, 16, 7);
            p.call("store", 3 * 65536 + 12, 77);
            p.call("set_wide", 123456789012L);
            p.call("set_f", 2.25);
            p.call("table_set_two", 1);
            assertEquals(2, p.call("table_grow", 5).getInt(0));
            p.call("table_set_two", 6);
            p.call("init_text", 300);
            p.call("drop_text");
            p.call("drop_pair");

            p.restore(snap);
            assertEquals(1, p.memoryPages());
            assertEquals(1, p.call("pages").getInt(0));
            assertArrayEquals(before, memory(p));
            assertEquals(0, p.call("counter").getInt(0));
            assertEquals(7L, p.call("wide").getLong(0));
            assertEquals(1.5, p.call("f").getDouble(0));
            assertEquals(2, p.call("table_size").getInt(0));
            assertEquals(1, p.call("table_call", 0).getInt(0));
            assertThrows(TrapException.class, () -> p.call("table_call", 1), "slot 1 was null at the snapshot");
            p.call("init_text", 300); // the dropped segment is back
            assertEquals("passive-data", p.memory().readString(300, 12));
            p.call("init_pair", 0); // so is the dropped element segment
            assertEquals(2, p.call("table_call", 1).getInt(0));
            // the grown pages are zero when grown again
            p.restore(snap);
            assertEquals(1, p.call("grow", 3).getInt(0));
            assertEquals(0, p.call("load", 3 * 65536 + 12).getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void snapshotsRestoreInAnyOrder(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("pool")).instantiate(policy().build())) {
            var s0 = p.snapshot();
            p.call("store", 100, 1);
            p.call("set_counter", 1);
            var s1 = p.snapshot();
            p.call("store", 100, 2);
            p.call("store", 50_000, 2);
            p.call("grow", 1);
            p.call("set_counter", 2);
            var s2 = p.snapshot();
            p.call("store", 100, 3);

            p.restore(s1);
            assertState(p, 1, 1, 0, 1);
            p.restore(s2);
            assertState(p, 2, 2, 2, 2);
            p.restore(s0);
            assertState(p, 0, 0, 0, 1);
            p.restore(s2);
            assertState(p, 2, 2, 2, 2);
            p.call("store", 50_000, 9);
            p.restore(s2);
            assertState(p, 2, 2, 2, 2);
            p.restore(s1);
            p.restore(s1);
            assertState(p, 1, 1, 0, 1);
        }
    }

    private static void assertState(Plugin p, int at100, int counter, int at50k, int pages) {
        assertEquals(at100, p.call("load", 100).getInt(0));
        assertEquals(counter, p.call("counter").getInt(0));
        assertEquals(at50k, p.call("load", 50_000).getInt(0));
        assertEquals(pages, p.memoryPages());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aFailedCallIsUndoneByARestoreAndThePluginIsUsable(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode);
                var p = corral.load(Fixtures.wasm("pool")).instantiate(policy().timeout(Duration.ofMillis(500)).build())) {
            var snap = p.snapshot();
            for (String failing : List.of("dirty_then_trap", "dirty_then_spin", "dirty_then_recurse", "dirty_then_host_fail",
                    "dirty_then_exit")) {
                assertThrows(CorralException.class, () -> p.call(failing), failing);
                var e = assertThrows(IllegalStateException.class, p::snapshot, "a failed instance cannot be snapshotted");
                assertTrue(e.getMessage().contains("restore"), e.getMessage());
                p.restore(snap);
                assertEquals(0, p.call("counter").getInt(0), failing);
                assertEquals(0, p.call("load", 0).getInt(0), failing);
                assertEquals(1, p.call("bump").getInt(0), failing);
                p.restore(snap);
            }
        }
    }

    @Test
    void fuelCountersComeBack() {
        try (var corral = Corral.create(); var p = corral.load(Fixtures.wasm("pool")).instantiate(policy().fuel(1_000_000).build())) {
            p.call("bump");
            long total = p.fuelConsumedTotal();
            long last = p.fuelConsumed();
            var snap = p.snapshot();
            p.call("bump");
            p.call("bump");
            p.addFuel(500); // pending for the next call
            assertTrue(p.fuelConsumedTotal() > total);
            p.restore(snap);
            assertEquals(total, p.fuelConsumedTotal());
            assertEquals(last, p.fuelConsumed());
            assertEquals(1_000_000, p.fuelRemaining(), "the pending top-up was taken after the snapshot");
        }
    }

    @Test
    void aSnapshotBelongsToItsPlugin() {
        try (var corral = Corral.create(); var m = corral.load(Fixtures.wasm("pool")).instantiate(policy().build());
                var other = corral.load(Fixtures.wasm("pool")).instantiate(policy().build())) {
            var snap = m.snapshot();
            var e = assertThrows(IllegalArgumentException.class, () -> other.restore(snap));
            assertTrue(e.getMessage().contains("only be restored on the plugin that took it"), e.getMessage());
            assertThrows(NullPointerException.class, () -> other.restore(null));
        }
    }

    @Test
    void notFromInsideACall() {
        var inner = new ArrayList<Throwable>();
        var holder = new Plugin[1];
        var policy = PluginPolicy.builder().hostModule(HostModuleDef.of("env", List.of(
                HostFunctionDef.of("env", "host_fail", VOID, (c, a) -> {
                    try {
                        holder[0].snapshot();
                    } catch (IllegalStateException e) {
                        inner.add(e);
                    }
                    return null;
                })))).build();
        try (var corral = Corral.create(); var p = corral.load(Fixtures.wasm("pool")).instantiate(policy)) {
            holder[0] = p;
            p.call("dirty_then_host_fail");
            assertEquals(1, inner.size());
            assertTrue(inner.get(0).getMessage().contains("inside one of its own calls"), inner.get(0).getMessage());
        }
    }

    @Test
    void capabilitiesTakePart() {
        var state = new AtomicInteger();
        var restores = new AtomicInteger();
        Capability counter = m -> new Capability.Binding() {
            @Override
            public List<HostModuleDef> hostModules() {
                return List.of();
            }

            @Override
            public Capability.Snapshot snapshot() {
                int saved = state.get();
                return () -> {
                    restores.incrementAndGet();
                    state.set(saved);
                };
            }
        };
        try (var corral = Corral.create(); var p = corral.load(Fixtures.wasm("pool")).instantiate(policy().grant(counter).build())) {
            state.set(5);
            var snap = p.snapshot();
            state.set(9);
            p.restore(snap);
            assertEquals(5, state.get());
            assertEquals(1, restores.get());
        }
    }

    private static long[] observed(Plugin p) {
        return new long[] {p.call("counter").getInt(0), p.call("wide").getLong(0), p.call("table_size").getInt(0), p.memoryPages()};
    }

    private static void restoreAndCheck(Plugin p, int k, List<PluginSnapshot> snaps, List<byte[]> memories, List<long[]> globals,
            String where) {
        p.restore(snaps.get(k));
        assertArrayEquals(memories.get(k), memory(p), where);
        assertArrayEquals(globals.get(k), observed(p), where);
    }

    /** A binding that keeps per-instance host state, as capabilities do. */
    static final class Counter implements Capability.Binding {
        int value;

        @Override
        public List<HostModuleDef> hostModules() {
            return List.of();
        }
    }

    @Test
    void aPluginFindsItsOwnBindingByClass() {
        Capability cap = m -> new Counter();
        var policy = policy().grant(cap).build();
        try (var corral = Corral.create(); var module = corral.load(Fixtures.wasm("pool")).instantiate(policy);
                var other = corral.load(Fixtures.wasm("pool")).instantiate(policy)) {
            Counter mine = module.binding(Counter.class).orElseThrow();
            Counter theirs = other.binding(Counter.class).orElseThrow();
            assertTrue(mine != theirs, "each instance has its own binding");
            assertSame(mine, module.binding(Counter.class).orElseThrow());
            assertSame(mine, module.binding(Capability.Binding.class).orElseThrow(), "by supertype too");
            assertTrue(module.binding(Capability.Binding.class).isPresent());
            assertTrue(corral.load(Fixtures.wasm("pool")).instantiate(policy().build()).binding(Counter.class).isEmpty());
        }
    }

    /**
     * Random writes, grows, fills, global sets, table changes and traps between snapshots; after
     * every restore, memory (bytes and size) and globals equal what they were at that snapshot.
     */
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void randomHistoriesRestoreByteForByte(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("pool")).instantiate(policy().build())) {
            for (long seed = 1; seed <= 6; seed++) {
                var rnd = new Random(seed);
                List<PluginSnapshot> snaps = new ArrayList<>();
                List<byte[]> memories = new ArrayList<>();
                List<long[]> globals = new ArrayList<>();
                snaps.add(p.snapshot());
                memories.add(memory(p));
                globals.add(observed(p));
                for (int step = 0; step < 300; step++) {
                    int pages = p.memoryPages();
                    int op = rnd.nextInt(12);
                    try {
                        switch (op) {
                            case 0: case 1: case 2:
                                p.call("store", rnd.nextInt(pages * 65536 - 3), rnd.nextInt());
                                break;
                            case 3:
                                p.call("store8", rnd.nextInt(pages * 65536), rnd.nextInt(256));
                                break;
                            case 4: {
                                int at = rnd.nextInt(pages * 65536);
                                p.call("fill", at, rnd.nextInt(256), rnd.nextInt(Math.min(70_000, pages * 65536 - at)));
                                break;
                            }
                            case 5:
                                if (pages < 8) {
                                    p.call("grow", 1 + rnd.nextInt(2));
                                }
                                break;
                            case 6:
                                p.call("set_wide", rnd.nextLong());
                                p.call("set_counter", rnd.nextInt());
                                break;
                            case 7:
                                p.call("dirty_then_trap");
                                break;
                            case 8:
                                p.call("store64", Math.max(0, (rnd.nextInt(pages * 16) << 12) - 4), rnd.nextLong()); // across a chunk edge
                                break;
                            case 9:
                                snaps.add(p.snapshot());
                                memories.add(memory(p));
                                globals.add(observed(p));
                                break;
                            case 10:
                                if (p.call("table_size").getInt(0) < 12) {
                                    p.call("table_grow", 1);
                                }
                                break;
                            default:
                                restoreAndCheck(p, rnd.nextInt(snaps.size()), snaps, memories, globals, "seed " + seed + " step " + step);
                        }
                    } catch (TrapException expected) {
                        // dirty_then_trap: a failed instance must be restored before it is snapshotted again
                        restoreAndCheck(p, rnd.nextInt(snaps.size()), snaps, memories, globals, "seed " + seed + " trap at " + step);
                    }
                }
            }
        }
    }
}
