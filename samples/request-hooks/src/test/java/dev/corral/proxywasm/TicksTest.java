package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code proxy_on_tick} reaches every VM of a filter, as every Envoy worker's VM has its own root
 * context and timer (c_ticks.c: each VM counts its own ticks under "ticks_&lt;vm&gt;").
 */
class TicksTest {
    private static long shared(ProxyWasmFilter f, String key) {
        byte[] v = f.sharedData().get(key);
        return v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.UTF_8));
    }

    @Test
    void everyVmTicksNotOnlyTheMostRecentlyUsed() throws Exception {
        try (var f = Filters.filter("c_ticks").workers(3).build()) {
            // three streams at once, held in the upstream: the filter must start three VMs
            var inUpstream = new CountDownLatch(3);
            var release = new CountDownLatch(1);
            Upstream holding = request -> {
                inUpstream.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new Response(200);
            };
            ExecutorService threads = Executors.newFixedThreadPool(3);
            try {
                List<Future<Response>> streams = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    streams.add(threads.submit(() -> FilterChain.of(f).execute(Filters.get("/hold"), holding)));
                }
                assertTrue(inUpstream.await(30, TimeUnit.SECONDS), "three streams in flight");
                release.countDown();
                for (var s : streams) {
                    assertEquals(200, s.get(30, TimeUnit.SECONDS).status());
                }
            } finally {
                threads.shutdownNow();
            }
            assertEquals(3, f.stats().vmsStarted());

            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline
                    && (shared(f, "ticks_1") < 3 || shared(f, "ticks_2") < 3 || shared(f, "ticks_3") < 3)) {
                Thread.sleep(10);
            }
            for (int vm = 1; vm <= 3; vm++) {
                assertTrue(shared(f, "ticks_" + vm) >= 3, "VM " + vm + " ticked " + shared(f, "ticks_" + vm)
                        + " times; all: " + f.sharedData().keySet());
            }
        }
    }

    @Test
    void aVmBusyWhenItsTickCameDueTicksWhenItsStreamEnds() throws Exception {
        try (var f = Filters.filter("c_ticks").workers(1).build()) {
            long before = f.stats().ticks();
            // the stream holds the only VM for 10 periods: the background cannot tick it meanwhile
            Response r = FilterChain.of(f).execute(Filters.get("/slow"), request -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new Response(200);
            });
            assertEquals(200, r.status());
            assertTrue(f.stats().ticks() > before, "ticked at the end of its stream, before the response was returned");
        }
    }

    @Test
    void aTickThatFaultsAtTheEndOfAStreamCostsTheVmNotTheResponse() throws Exception {
        try (var f = Filters.filter("c_ticks").workers(1).build()) {
            Response r = FilterChain.of(f).execute(Filters.get("/trap-next-tick"), request -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                var ok = new Response(200);
                ok.headers().add("x-from", "upstream");
                return ok;
            });
            assertEquals(200, r.status());
            assertEquals("upstream", r.headers().get("x-from"));
            var stats = f.stats();
            assertEquals(1L, stats.faults().get(FaultKind.TRAP), stats.toString());
            assertEquals(1, stats.vmsReplaced(), stats.toString());
            // the next stream gets a fresh VM (number 2), which works
            Response next = FilterChain.of(f).execute(Filters.get("/after"), new Filters.Echo());
            assertEquals(200, next.status());
            assertEquals(2, f.stats().vmsStarted());
        }
    }
}
