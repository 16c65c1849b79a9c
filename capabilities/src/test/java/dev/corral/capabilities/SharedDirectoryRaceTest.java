package dev.corral.capabilities;

import static dev.corral.capabilities.Probe.FOLLOW;
import static dev.corral.capabilities.Probe.O_CREAT;
import static dev.corral.capabilities.Probe.READ;
import static dev.corral.capabilities.Probe.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 1: two plugins granted the same READ_WRITE directory, one swapping a checked
 * directory for one whose child is a symlink pointing out while the other resolves through it.
 * Without the namespace lock the OS follows the swapped-in link between our check and its walk
 * (measured: reads of the outside file within a few hundred iterations); with it, never.
 */
class SharedDirectoryRaceTest {
    private static final int ROUNDS = 3_000;

    @TempDir
    Path base;

    @Test
    void aPluginSwappingDirectoriesCannotLeadAnotherOut() throws Exception {
        Path outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "OUTSIDE");
        Path shared = Files.createDirectory(base.resolve("shared"));
        Files.createDirectories(shared.resolve("y/x"));
        Files.writeString(shared.resolve("y/x/secret.txt"), "inside!");
        Map<String, String> outsideBefore = Probe.snapshot(outside);
        Wasi grant = Wasi.builder().directory(shared, "/data", Access.READ_WRITE).build();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger swaps = new AtomicInteger();
        Thread attacker = new Thread(() -> {
            try (Probe a = new Probe(grant)) {
                // s/x -> ../../outside is inside where it is made (a/sub/x), then its directory moves up
                assertEquals(0, a.a("a").call("mkdir", 3));
                assertEquals(0, a.a("a/sub").call("mkdir", 3));
                assertEquals(0, a.a("../../outside").b("a/sub/x").call("symlink", 3));
                assertEquals(0, a.a("a/sub").b("s").call("rename", 3, 3));
                while (!stop.get()) {
                    // y (real x) <-> s (x is the outward link)
                    a.a("y").b("t").call("rename", 3, 3);
                    a.a("s").b("y").call("rename", 3, 3);
                    a.a("y").b("s").call("rename", 3, 3);
                    a.a("t").b("y").call("rename", 3, 3);
                    swaps.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        attacker.start();
        int inside = 0;
        int refused = 0;
        int escaped = 0;
        try (Probe v = new Probe(grant)) {
            for (int i = 0; i < ROUNDS; i++) {
                int errno = v.open(3, FOLLOW, 0, READ, 0, "y/x/secret.txt");
                if (errno == 0) {
                    int fd = v.result();
                    v.call("read", fd, 16);
                    int n = v.result();
                    if (n == 7 && v.call("byte", 0) == 'O') {
                        escaped++;
                    } else {
                        inside++;
                    }
                    v.call("close", fd);
                } else {
                    refused++; // ENOTCAPABLE (saw the link) or ENOENT (mid-swap): both contained
                }
                // writing through the same path must never plant a file outside either
                v.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "y/x/planted.txt");
                if (v.result() > 3) {
                    v.call("close", v.result());
                }
            }
        } finally {
            stop.set(true);
            attacker.join(30_000);
        }
        if (failure.get() != null) {
            throw new AssertionError("the attacker failed", failure.get());
        }
        assertEquals(0, escaped, "reads of the file outside the grant");
        assertEquals(outsideBefore, Probe.snapshot(outside), "nothing outside the grant changed");
        assertTrue(swaps.get() > 10 && refused > 0 && inside > 0,
                "the race really ran: " + swaps + " swaps, " + inside + " inside, " + refused + " refused");
    }
}
