package dev.corral.capabilities;

import static dev.corral.capabilities.Probe.FOLLOW;
import static dev.corral.capabilities.Probe.O_CREAT;
import static dev.corral.capabilities.Probe.READ;
import static dev.corral.capabilities.Probe.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.FunctionSignature;
import dev.corral.PluginPolicy;
import dev.corral.PluginPool;
import dev.corral.ValueType;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a plugin snapshot captures of its WASI capability and what a restore puts back (see
 * {@code WasiInstance.snapshot}): the descriptor table, a seeded random stream, a pending log line;
 * not files, delivered output, clocks, a secure random stream or the quota.
 */
class WasiSnapshotTest {
    static final int EBADF = 8;

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("abc.txt"), "abcdef");
    }

    private Wasi.Builder rw() {
        return Wasi.builder().directory(dir, "/d", Access.READ_WRITE);
    }

    @Test
    void descriptorsOpenedSinceAreClosedAndThoseOpenThenComeBackWithTheirPositions() {
        try (var g = new Probe(rw().build())) {
            assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, "abc.txt"));
            int kept = g.result();
            assertEquals(0, g.call("read", kept, 2));
            var snap = g.plugin.snapshot();

            assertEquals(0, g.call("read", kept, 2), "moves the position to 4");
            assertEquals('c', g.call("byte", 0));
            assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, "abc.txt"));
            int opened = g.result();
            assertEquals(0, g.call("close", kept), "closed after the snapshot");
            assertEquals(0, g.call("close", 3), "even the preopen");

            g.plugin.restore(snap);
            assertEquals(EBADF, g.call("read", opened, 1), "opened after the snapshot: gone");
            assertEquals(0, g.call("read", kept, 2), "back, at its snapshot position");
            assertEquals('c', g.call("byte", 0));
            assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, "abc.txt"), "the preopen is back as granted");
            assertEquals(opened, g.result(), "the lowest free number again: the later one was really closed");

            g.plugin.restore(snap);
            assertEquals(0, g.call("read", kept, 2), "restorable again, same answer");
            assertEquals('c', g.call("byte", 0));
        }
    }

    @Test
    void aFileOpenedSinceIsClosedButWhatItWroteStays() throws Exception {
        try (var g = new Probe(rw().build())) {
            var snap = g.plugin.snapshot();
            assertEquals(0, g.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "new.txt"));
            int fd = g.result();
            assertEquals(0, g.call("write", fd, 3));
            g.plugin.restore(snap);
            assertEquals(EBADF, g.call("write", fd, 1));
            assertEquals("xxx", Files.readString(dir.resolve("new.txt")), "files are the host's: not rolled back");
        }
    }

    @Test
    void aSeededStreamRewindsASecureOneDoesNot() {
        try (var g = new Probe(Wasi.builder().random(WasiRandom.seeded(7)).build())) {
            g.call("random", 8);
            var snap = g.plugin.snapshot();
            g.call("random", 8);
            long first = g.plugin.call("random64").getLong(0);
            g.plugin.restore(snap);
            g.call("random", 8);
            assertEquals(first, g.plugin.call("random64").getLong(0), "the same bytes after a restore");
        }
        try (var g = new Probe(Wasi.builder().random(WasiRandom.secure()).build())) {
            var snap = g.plugin.snapshot();
            g.call("random", 8);
            long first = g.plugin.call("random64").getLong(0);
            g.plugin.restore(snap);
            g.call("random", 8);
            assertNotEquals(first, g.plugin.call("random64").getLong(0), "secure bytes never repeat");
        }
    }

    @Test
    void aVirtualClockIsTheHostsAndARestoreDoesNotMoveIt() {
        var clock = WasiClock.virtual(Instant.EPOCH);
        try (var g = new Probe(Wasi.builder().clock(clock).build())) {
            var tickStart = g.plugin.snapshot();
            for (int tick = 1; tick <= 3; tick++) {
                clock.advance(Duration.ofMillis(50)); // the game moves on
                assertEquals(0, g.call("clock", 1));
                assertEquals(tick * 50_000_000L, g.result64(), "the mod sees the game's time");
                g.plugin.restore(tickStart); // the mod is rolled back, time is not
            }
            assertEquals(0, g.call("clock", 1));
            assertEquals(150_000_000L, g.result64());
        }
    }

    @Test
    void aPendingLogLineIsPutBackDeliveredOutputIsNot() {
        var rec = new LoggingTest.Recorder();
        try (var g = new Probe(Wasi.builder().stdout(WasiOutput.log(rec, Level.INFO)).build())) {
            var snap = g.plugin.snapshot();
            g.call("write", 1, 3); // "xxx", no newline yet
            g.plugin.restore(snap);
            g.call("write", 1, 2);
        }
        assertEquals(List.of("INFO [" + Probe.module().name() + " stdout] xx"), rec.records,
                "the rolled-back half line is gone");
    }

    @Test
    void theQuotaIsPerInstanceLifetimeNotPerRestore() {
        try (var g = new Probe(rw().writeQuota(10).build())) {
            var snap = g.plugin.snapshot();
            assertEquals(0, g.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "q.txt"));
            assertEquals(0, g.call("write", g.result(), 8));
            g.plugin.restore(snap);
            assertEquals(0, g.open(3, FOLLOW, 0, READ | WRITE, 0, "q.txt"));
            assertEquals(HardeningTest.EDQUOT, g.call("pwrite", g.result(), 8, 8L),
                    "what was written is still on disk, so still counted");
        }
    }

    @Test
    void pluginLoggingsRateLimitSurvivesARestore() {
        var rec = new LoggingTest.Recorder();
        var logging = PluginLogging.builder().logger(rec).clock(WasiClock.virtual(Instant.EPOCH)).rateLimit(2, 1 << 20).build();
        try (var corral = dev.corral.Corral.builder().build();
                var p = corral.load(WasiSnapshotTest.class.getResourceAsStream("/wasm/logger.wasm"))
                        .instantiate(PluginPolicy.builder().grant(logging).build())) {
            var snap = p.snapshot();
            for (int i = 0; i < 3; i++) {
                p.call("say", 2);
                p.call("say", 2);
                p.restore(snap);
            }
        }
        assertEquals(2, rec.records.stream().filter(r -> r.startsWith("INFO")).count(),
                "a restore does not hand out a fresh budget");
        assertEquals(4, logging.droppedMessages());
    }

    /** Issue 11's isolation case: a file opened and left open by one borrower is not visible to the next. */
    @Test
    void aPoolBorrowerNeverSeesTheLastOnesDescriptors() throws Exception {
        String[] path = {"abc.txt"};
        var get = HostFunctionDef.of("probe", "get",
                FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of(ValueType.I32)), (ctx, a) -> {
                    byte[] b = path[0].getBytes(StandardCharsets.UTF_8);
                    ctx.memory().write((int) a[1], b);
                    return new long[] {b.length};
                });
        var policy = PluginPolicy.builder()
                .hostModule(HostModuleDef.of("probe", List.of(get)))
                .grant(rw().random(WasiRandom.seeded(1)).build())
                .build();
        try (PluginPool pool = PluginPool.builder(Probe.module()).policy(policy).maxSize(1).build()) {
            int first;
            long random;
            try (var lease = pool.borrow()) {
                var p = lease.plugin();
                assertEquals(0, p.call("open", 3, FOLLOW, 0, READ, 0).getInt(0));
                first = p.call("result").getInt(0);
                assertEquals(0, p.call("read", first, 2).getInt(0));
                assertEquals(0, p.call("random", 8).getInt(0));
                random = p.call("random64").getLong(0);
            }
            for (int i = 0; i < 20; i++) {
                try (var lease = pool.borrow()) {
                    var p = lease.plugin();
                    assertEquals(EBADF, p.call("read", first, 2).getInt(0), "borrow " + i + ": the old descriptor is closed");
                    assertEquals(0, p.call("open", 3, FOLLOW, 0, READ, 0).getInt(0));
                    assertEquals(first, p.call("result").getInt(0), "and its number is free again");
                    assertEquals(0, p.call("read", first, 2).getInt(0));
                    assertEquals('a', p.call("byte", 0).getInt(0), "a fresh descriptor starts at 0");
                    assertEquals(0, p.call("random", 8).getInt(0));
                    assertEquals(random, p.call("random64").getLong(0), "the seeded stream starts over too");
                }
            }
            assertTrue(pool.stats().resets() >= 20, pool.stats().toString());
        }
    }
}
