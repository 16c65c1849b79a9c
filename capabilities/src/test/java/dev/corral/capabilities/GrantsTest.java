package dev.corral.capabilities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.PluginExitException;
import dev.corral.PluginPolicy;
import dev.corral.UnlinkableModuleException;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Clock, random, output, exit, sockets, strict mode, and the denial counters. */
class GrantsTest {
    static final int ENOTCAPABLE = 76;
    static final int EBADF = 8;

    @Test
    void withoutAClockBothClocksReadZeroAndTheReadIsCounted() {
        var wasi = Wasi.denyAll();
        try (var g = new Probe(wasi)) {
            assertEquals(0, g.call("clock", 0));
            assertEquals(0L, g.result64());
            assertEquals(0, g.call("clock", 1));
            assertEquals(0L, g.result64());
        }
        assertEquals(2L, wasi.deniedCalls().get("clock_time_get"));
    }

    @Test
    void aFixedClockIsFixedForBothClocks() {
        var t = Instant.parse("2020-01-01T00:00:00Z");
        try (var g = new Probe(Wasi.builder().clock(WasiClock.fixed(t)).build())) {
            g.call("clock", 0);
            assertEquals(t.getEpochSecond() * 1_000_000_000L, g.result64());
            g.call("clock", 1);
            assertEquals(0L, g.result64());
        }
    }

    @Test
    void aVirtualClockMovesOnlyWhenTheHostAdvancesIt() {
        var t = Instant.parse("2020-01-01T00:00:00Z");
        var clock = WasiClock.virtual(t);
        try (var g = new Probe(Wasi.builder().clock(clock).build())) {
            g.call("clock", 1);
            assertEquals(0L, g.result64());
            clock.advance(Duration.ofMillis(16));
            g.call("clock", 1);
            assertEquals(16_000_000L, g.result64(), "monotonic");
            g.call("clock", 0);
            assertEquals(t.getEpochSecond() * 1_000_000_000L + 16_000_000L, g.result64(), "realtime");
        }
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofSeconds(-1)));
    }

    @Test
    void theSystemClockIsTheHostsClock() {
        try (var g = new Probe(Wasi.builder().clock(WasiClock.system()).build())) {
            long before = System.currentTimeMillis();
            g.call("clock", 0);
            long ms = g.result64() / 1_000_000L;
            assertTrue(ms >= before - 1 && ms <= System.currentTimeMillis() + 1, "realtime " + ms);
        }
    }

    @Test
    void withoutARandomGrantRandomGetFails() {
        var wasi = Wasi.denyAll();
        try (var g = new Probe(wasi)) {
            assertEquals(ENOTCAPABLE, g.call("random", 8));
            assertEquals(0L, g.plugin.call("random64").getLong(0), "no bytes were written");
        }
        assertEquals(1L, wasi.deniedCalls().get("random_get"));
    }

    @Test
    void seededRandomIsTheSameStreamForEveryInstance() {
        var wasi = Wasi.builder().random(WasiRandom.seeded(42)).build();
        long first;
        long second;
        try (var a = new Probe(wasi); var b = new Probe(wasi)) {
            assertEquals(0, a.call("random", 8));
            first = a.plugin.call("random64").getLong(0);
            assertEquals(0, b.call("random", 8));
            assertEquals(first, b.plugin.call("random64").getLong(0));
            assertEquals(0, a.call("random", 8));
            second = a.plugin.call("random64").getLong(0);
        }
        assertNotEquals(first, second, "the stream moves on");
        try (var c = new Probe(Wasi.builder().random(WasiRandom.seeded(43)).build())) {
            c.call("random", 8);
            assertNotEquals(first, c.plugin.call("random64").getLong(0), "another seed, another stream");
        }
    }

    @Test
    void secureRandomFills() {
        try (var g = new Probe(Wasi.builder().random(WasiRandom.secure()).build())) {
            assertEquals(0, g.call("random", 4096));
            assertNotEquals(0L, g.plugin.call("random64").getLong(0));
        }
    }

    @Test
    void stdoutIsDiscardedByDefaultCapturedBoundedOrForwarded() {
        try (var g = new Probe(Wasi.denyAll())) {
            assertEquals(0, g.call("write", 1, 5), "discarded, but the write succeeds");
            assertEquals(5, g.result());
        }
        var cap = WasiOutput.capture(4);
        try (var g = new Probe(Wasi.builder().stdout(cap).build())) {
            assertEquals(0, g.call("write", 1, 6));
            assertEquals(6, g.result(), "the guest cannot tell the buffer is full");
            assertEquals(0, g.call("write", 2, 3), "stderr still discarded");
        }
        assertEquals("xxxx", cap.text());
        assertEquals(2, cap.droppedBytes());
        var out = new ByteArrayOutputStream();
        try (var g = new Probe(Wasi.builder().stderr(WasiOutput.forward(out)).build())) {
            g.call("write", 2, 3);
        }
        assertEquals("xxx", out.toString());
    }

    @Test
    void stdinIsAtEndOfFileAndStdoutIsNotReadable() {
        try (var g = new Probe(Wasi.denyAll())) {
            assertEquals(0, g.call("read", 0, 10));
            assertEquals(0, g.result());
            assertEquals(EBADF, g.call("read", 1, 10));
            assertEquals(EBADF, g.call("write", 0, 1));
        }
    }

    @Test
    void noPreopensWithoutADirectoryGrant() {
        var wasi = Wasi.denyAll();
        try (var g = new Probe(wasi)) {
            assertEquals(EBADF, g.call("prestat", 3), "EBADF ends the guest's preopen scan");
            assertEquals(EBADF, g.open(3, 1, 0, Probe.READ, 0, "anything"));
        }
        assertEquals(java.util.Map.of("path_open", 1L), wasi.deniedCalls(), "the path call is counted, the scan is not");
    }

    @Test
    void procExitEndsTheCallNotTheHost() {
        try (var g = new Probe(Wasi.denyAll())) {
            var e = assertThrows(PluginExitException.class, () -> g.call("exit", 3));
            assertEquals(3, e.exitCode());
            assertEquals(0, g.call("clock", 0), "the plugin is still usable");
        }
    }

    @Test
    void socketsAreDeniedAndCounted() {
        var wasi = Wasi.denyAll();
        try (var g = new Probe(wasi)) {
            assertEquals(57, g.call("sock", 1), "ENOTSOCK: no descriptor is a socket");
            assertEquals(8, g.call("sock", 99), "EBADF: not even a descriptor");
        }
        assertEquals(1L, wasi.deniedCalls().get("sock_accept"));
        assertEquals(1L, wasi.deniedTotal());
    }

    @Test
    void strictModeListsTheImportsTheGrantsDoNotCover(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        var e = assertThrows(UnlinkableModuleException.class, () -> Probe.module().instantiate(PluginPolicy.builder()
                .hostModule(dev.corral.spi.HostModuleDef.of("probe", java.util.List.of()))
                .grant(Wasi.builder().strict(true).directory(dir, "/d", Access.READ_ONLY).build())
                .build()));
        var names = e.missingImports().stream().map(d -> d.name()).toList();
        assertTrue(names.contains("random_get"), names.toString());
        assertTrue(names.contains("clock_time_get"), names.toString());
        assertTrue(names.contains("sock_accept"), names.toString());
        assertTrue(names.contains("path_unlink_file"), "read-only grant does not cover unlink: " + names);
        assertFalse(names.contains("path_open"), "covered by the directory grant");
        assertFalse(names.contains("fd_close"));
        assertTrue(e.getMessage().contains("strict WASI"));
    }

    @Test
    void withoutAClockSleepsReturnAtOnceAndAFixedClockDoesNotWaitEither() {
        var wasi = Wasi.denyAll();
        try (var g = new Probe(wasi)) {
            assertEquals(0, g.call("sleep", 3_600_000_000_000L), "time stands still: no wait, no failure");
            assertEquals(1, g.result());
        }
        assertEquals(1L, wasi.deniedCalls().get("poll_oneoff"));
        try (var g = new Probe(Wasi.builder().clock(WasiClock.fixed(Instant.EPOCH)).build())) {
            assertEquals(0, g.call("sleep", 3_600_000_000_000L), "an hour passes at once on a fixed clock");
            assertEquals(1, g.result());
            assertEquals(77L, g.result64(), "the event carries the subscription's userdata");
        }
    }

    @Test
    void aSystemClockSleepReallyWaitsAndTheDeadlineStillHolds() {
        try (var g = new Probe(Wasi.builder().clock(WasiClock.system()).build())) {
            long t0 = System.nanoTime();
            assertEquals(0, g.call("sleep", 20_000_000L));
            assertTrue(System.nanoTime() - t0 >= 20_000_000L, "slept at least the asked time");
        }
        var policy = PluginPolicy.builder()
                .hostModule(dev.corral.spi.HostModuleDef.of("probe", java.util.List.of(dev.corral.spi.HostFunctionDef.of(
                        "probe", "get", dev.corral.FunctionSignature.of(
                                java.util.List.of(dev.corral.ValueType.I32, dev.corral.ValueType.I32),
                                java.util.List.of(dev.corral.ValueType.I32)), (c, a) -> new long[] {0}))))
                .grant(Wasi.builder().clock(WasiClock.system()).build())
                .timeout(Duration.ofMillis(100))
                .build();
        try (var p = Probe.module().instantiate(policy)) {
            assertThrows(dev.corral.CallTimeoutException.class, () -> p.call("sleep", 60_000_000_000L));
            assertFalse(Thread.currentThread().isInterrupted(), "the caller's interrupt status is restored");
        }
    }

    @Test
    void everyPreview1FunctionLinksAndStrictListsExactlyTheUncovered(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (var corral = dev.corral.Corral.builder().build()) {
            var all = corral.load(GrantsTest.class.getResourceAsStream("/wasm/all_wasi.wasm"));
            var wasi = Wasi.denyAll();
            try (var p = all.instantiate(PluginPolicy.builder().grant(wasi).build())) {
                assertEquals(57, p.call("sock").getInt(0), "ENOTSOCK");
                assertEquals(ENOTCAPABLE, p.call("raise").getInt(0));
                assertEquals(0, p.call("yield").getInt(0));
            }
            assertEquals(java.util.Map.of("sock_accept", 1L, "proc_raise", 1L), wasi.deniedCalls());
            var full = Wasi.builder().strict(true).directory(dir, "/d", Access.READ_WRITE).env("A", "b")
                    .clock(WasiClock.system()).random(WasiRandom.secure()).stdout(WasiOutput.capture(1)).build();
            var e = assertThrows(UnlinkableModuleException.class,
                    () -> all.instantiate(PluginPolicy.builder().grant(full).build()));
            assertEquals(java.util.Set.of("proc_raise", "sock_accept", "sock_recv", "sock_send", "sock_shutdown"),
                    e.missingImports().stream().map(d -> d.name()).collect(java.util.stream.Collectors.toSet()),
                    "with everything granted only signals and sockets stay uncovered");
        }
    }
}
