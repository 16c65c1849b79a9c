package dev.corral.capabilities;

import static dev.corral.capabilities.Probe.FOLLOW;
import static dev.corral.capabilities.Probe.O_CREAT;
import static dev.corral.capabilities.Probe.READ;
import static dev.corral.capabilities.Probe.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.CallTimeoutException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's capability items, each from the guest's side (what it sees) and the host's (what
 * changed, how long the call took, what was logged).
 */
class HardeningTest {
    static final int EDQUOT = 19;
    static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    // ---- item 2: file timestamps do not leak the host's clock ----

    private long[] times(Probe g, String file) {
        assertEquals(0, g.a(file).call("stat", 3, 0));
        long[] path = {g.plugin.call("stat_field", 40).getLong(0), g.plugin.call("stat_field", 48).getLong(0),
                g.plugin.call("stat_field", 56).getLong(0)};
        assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, file));
        int fd = g.result();
        assertEquals(0, g.call("fstat", fd));
        long[] fdTimes = {g.plugin.call("stat_field", 40).getLong(0), g.plugin.call("stat_field", 48).getLong(0),
                g.plugin.call("stat_field", 56).getLong(0)};
        assertEquals(java.util.Arrays.toString(path), java.util.Arrays.toString(fdTimes), "path and fd stat agree");
        g.call("close", fd);
        return path;
    }

    @Test
    void withoutTheSystemClockFileTimesReadZero() throws Exception {
        Files.writeString(dir.resolve("old.txt"), "host file");
        for (Wasi.Builder b : new Wasi.Builder[] {Wasi.builder(), Wasi.builder().clock(WasiClock.fixed(Instant.EPOCH)),
                Wasi.builder().clock(WasiClock.virtual(Instant.parse("2030-01-01T00:00:00Z")))}) {
            try (var g = new Probe(b.directory(dir, "/d", Access.READ_WRITE).build())) {
                assertEquals(0, g.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "new.txt"));
                int fd = g.result();
                assertEquals(0, g.call("write", fd, 10), "the OS stamps the write with the host's time");
                assertEquals(0, g.call("read", fd, 10), "and the read (atime)");
                assertArrayEquals0(times(g, "new.txt"));
                assertArrayEquals0(times(g, "old.txt"));
            }
            long hostMtime = Files.getLastModifiedTime(dir.resolve("new.txt")).toMillis();
            assertTrue(Math.abs(hostMtime - System.currentTimeMillis()) < 600_000, "the host's own view is real");
        }
    }

    private static void assertArrayEquals0(long[] t) {
        assertEquals("[0, 0, 0]", java.util.Arrays.toString(t), "atim, mtim, ctim");
    }

    @Test
    void withTheSystemClockFileTimesAreReal() throws Exception {
        Files.writeString(dir.resolve("f.txt"), "x");
        Files.setLastModifiedTime(dir.resolve("f.txt"), FileTime.fromMillis(1_500_000_000_000L));
        try (var g = new Probe(Wasi.builder().clock(WasiClock.system()).directory(dir, "/d", Access.READ_ONLY).build())) {
            long[] t = times(g, "f.txt");
            assertEquals(1_500_000_000_000_000_000L, t[1], "mtim as set by the host");
            assertNotEquals(0, t[0]);
            assertNotEquals(0, t[2]);
        }
    }

    // ---- item 3: the write quota counts what a file grows by ----

    @Test
    void aWriteFarPastTheEndIsChargedForTheHoleItLeaves() throws Exception {
        try (var g = new Probe(Wasi.builder().directory(dir, "/d", Access.READ_WRITE).writeQuota(10 * MIB).build())) {
            assertEquals(0, g.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "sparse.bin"));
            int fd = g.result();
            assertEquals(EDQUOT, g.call("pwrite", fd, 1, 1L << 40), "1 byte at 1 TiB costs 1 TiB");
            assertEquals(EDQUOT, g.call("allocate", fd, 0L, 1L << 40));
            assertEquals(EDQUOT, g.call("set_size", fd, 1L << 40));
            assertEquals(0, Files.size(dir.resolve("sparse.bin")), "the file did not grow");
            assertEquals(0, g.call("pwrite", fd, 1, 5 * MIB - 1), "a 5 MiB hole plus 1 byte fits");
            assertEquals(5 * MIB, Files.size(dir.resolve("sparse.bin")));
            assertEquals(EDQUOT, g.call("pwrite", fd, 1, 10 * MIB), "another 5 MiB hole does not");
            assertEquals(0, g.call("pwrite", fd, 100, 0L), "rewriting inside costs the bytes only");
            assertEquals(0, g.call("set_size", fd, 1L), "shrinking is free");
            assertEquals(EDQUOT, g.call("set_size", fd, 6 * MIB), "growing back is charged again");
        }
    }

    // ---- item 9: a write stops at its bound and its deadline ----

    @Test
    void overlappingIovecsAreBoundedPerCall() {
        var out = WasiOutput.capture(64 * 1024);
        // the timeout is loose: this test is about the byte bound (aSlowOutputStopsAtTheDeadline is
        // about the deadline); copying 4 MiB in 64 KiB steps took over 100 ms on a loaded CI machine
        try (var g = new Probe(Wasi.builder().stdout(out).build(), b -> b.timeout(Duration.ofSeconds(30)))) {
            assertTrue(g.call("grow", 254) > 0, "16 MiB of memory");
            long t0 = System.nanoTime();
            assertEquals(0, g.call("flood", 1, 1024, 16 << 20), "1024 iovecs of 16 MiB each: 16 GiB asked");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(4 << 20, g.result(), "a short write of the per-call bound (4 MiB)");
            assertTrue(ms < 20_000, "bounded work, not 16 GiB of it: " + ms + " ms");
            assertEquals(64 * 1024, out.bytes().length, "the capture keeps its bound");
            assertEquals((4 << 20) - 64 * 1024, out.droppedBytes(), "the rest is counted, not copied");
        }
    }

    @Test
    void aSlowOutputStopsAtTheDeadline() {
        AtomicLong written = new AtomicLong();
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                written.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                written.addAndGet(len);
                try {
                    Thread.sleep(20); // a slow pipe: 64 KiB per 20 ms
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (var g = new Probe(Wasi.builder().stdout(WasiOutput.forward(slow)).build(),
                b -> b.timeout(Duration.ofMillis(100)))) {
            assertTrue(g.call("grow", 254) > 0);
            long t0 = System.nanoTime();
            assertThrows(CallTimeoutException.class, () -> g.call("flood", 1, 1024, 16 << 20));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 100 + 4_900, "stopped at the deadline, not after 16 GiB: " + ms + " ms");
            assertTrue(written.get() < (4 << 20), "stopped between chunks: " + written.get() + " bytes");
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }

    @Test
    void aFileWriteIsBoundedToo() throws Exception {
        try (var g = new Probe(Wasi.builder().directory(dir, "/d", Access.READ_WRITE).build(),
                b -> b.timeout(Duration.ofSeconds(30)))) {
            assertTrue(g.call("grow", 254) > 0);
            assertEquals(0, g.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "big.bin"));
            int fd = g.result();
            assertEquals(0, g.call("flood", fd, 1024, 16 << 20));
            assertEquals(4 << 20, g.result());
            assertEquals(4 << 20, Files.size(dir.resolve("big.bin")), "what was reported is what was written");
        }
    }

    // ---- item 10: stdout/stderr to the log are rate limited and escaped ----

    @Test
    void loggedOutputIsRateLimitedAndEscaped() {
        var rec = new LoggingTest.Recorder();
        var clock = WasiClock.virtual(Instant.EPOCH);
        try (var g = new Probe(Wasi.builder().stdout(WasiOutput.log(rec, Level.INFO, 100, 64 * 1024, clock)).build())) {
            assertTrue(g.call("grow", 15) > 0);
            // 4 MiB of "x...x\n"-free bytes would be 512 records of 8 KiB: far past 64 KiB/s
            assertEquals(0, g.call("flood", 1, 512, 8192));
        }
        long kept = rec.records.stream().filter(r -> r.startsWith("INFO")).count();
        assertTrue(kept <= 8, "64 KiB per second of 8 KiB records: " + kept);
        assertTrue(rec.records.get(rec.records.size() - 1).matches("WARNING .* \\d+ log messages dropped by the rate limit"),
                rec.records.get(rec.records.size() - 1));
    }

    @Test
    void aGuestCannotForgeLogRecords() {
        var rec = new LoggingTest.Recorder();
        var logging = PluginLogging.builder().logger(rec).build();
        try (var corral = dev.corral.Corral.builder().build();
                var p = corral.load(HardeningTest.class.getResourceAsStream("/wasm/logger.wasm"))
                        .instantiate(dev.corral.PluginPolicy.builder().grant(logging).build())) {
            p.call("say_evil", 2);
        }
        assertEquals(1, rec.records.size());
        String r = rec.records.get(0);
        assertFalse(r.contains("\n") || r.contains("\r") || r.contains("\u001b"), r);
        assertTrue(r.endsWith("ok\\n[other] ERROR forged\\rback\\x1b[31mred"), r);
    }

    // ---- item 15: a sleep of u64::MAX ends at the call's deadline ----

    @Test
    void anEndlessSleepEndsAtTheDeadline() {
        try (var g = new Probe(Wasi.builder().clock(WasiClock.system()).build(), b -> b.timeout(Duration.ofMillis(150)))) {
            long t0 = System.nanoTime();
            assertThrows(CallTimeoutException.class, () -> g.call("sleep", -1L), "u64::MAX nanoseconds");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 140 && ms < 150 + 4_850, "slept until the deadline: " + ms + " ms");
            assertFalse(Thread.currentThread().isInterrupted());
            assertEquals(0, g.call("sleep", 1_000_000L), "usable afterwards; a short sleep returns its event");
            assertEquals(1, g.result(), "one event");
            assertEquals(77L, g.result64(), "the clock subscription's userdata");
        }
    }
}
