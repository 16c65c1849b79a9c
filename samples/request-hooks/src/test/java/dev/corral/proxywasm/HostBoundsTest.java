package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A filter cannot make the host allocate without bound (c_limits.c): 100 MB of its own memory
 * offered as a header value, a header name, a header map, a property, shared data, a queue item, a
 * log message and a local reply body is refused (BAD_ARGUMENT, the ABI's status for it) before the
 * host copies it, and values added one by one stop at the header map's limit.
 */
class HostBoundsTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocatedHere() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    @Test
    void aHundredMegabytesOfferedToEveryHostCallAreRefusedWithoutACopy() throws Exception {
        // the VM fills 100 MB of its memory at start-up (in build), so the request itself only offers it
        try (var f = Filters.filter("c_limits").vmConfig("huge").maxMemory(128L << 20).workers(1)
                .timeout(Duration.ofSeconds(20)).build()) {
            var up = new Filters.Echo();
            FilterChain.of(f).execute(Filters.get("/warm-up"), up); // class loading and JIT, not the filter's doing
            long before = allocatedHere();
            Response r = FilterChain.of(f).execute(Filters.get("/huge"), up);
            long allocated = allocatedHere() - before;

            assertEquals(200, r.status(), "the local reply was refused too: the request went on");
            Request seen = up.last();
            for (String call : new String[] {"replace", "add", "key", "pairs", "property", "shared", "queue", "reply"}) {
                assertEquals("2", seen.headers().get("x-" + call + "-status"), call + ": BAD_ARGUMENT");
            }
            assertEquals("0", seen.headers().get("x-log-status"), "a log message is cut (16 KiB), not refused");
            assertNull(seen.headers().get("x-big"));
            assertTrue(f.sharedData().isEmpty());
            assertEquals(0, f.stats().faultCount());
            // one copy of the value would be 100 MB; what the host does allocate is per-request bookkeeping
            assertTrue(allocated < 8L << 20, "the host allocated " + allocated + " bytes");
        }
    }

    @Test
    void valuesAddedOneByOneStopAtTheHeaderMapLimit() throws Exception {
        try (var f = Filters.filter("c_limits").maxHeaderBytes(16 * 1024).build()) {
            var up = new Filters.Echo();
            assertEquals(200, FilterChain.of(f).execute(Filters.get("/many"), up).status());
            int count = Integer.parseInt(up.last().headers().get("x-many-count"));
            assertTrue(count >= 10 && count < 16, "1 KiB values taken under a 16 KiB map: " + count);
            assertNull(up.last().headers().get("x-many"));
            assertEquals(0, f.stats().faultCount());
        }
    }
}
