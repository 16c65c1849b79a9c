package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.ExecutionMode;
import dev.corral.capabilities.WasiClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Shared data with CAS, queues, metrics, ticks, properties, time, logging and denied calls (c_shared.c). */
class SharedTest {
    private static long shared(ProxyWasmFilter f, String key) {
        byte[] v = f.sharedData().get(key);
        return v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.UTF_8));
    }

    @Test
    void casCounterIsExactAcrossConcurrentVms() throws Exception {
        try (var f = Filters.filter("c_shared").workers(4).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                // the first request creates the key alone: proxy-wasm has no atomic create (a set on a
                // missing key is unconditional), so VMs racing on the first write could reset a
                // count another VM had already raised while one of them waited between get and set
                assertEquals(200, FilterChain.of(f).execute(Filters.get("/c"), new Filters.Echo()).status());
                List<Future<Response>> all = new ArrayList<>();
                for (int i = 1; i < 200; i++) {
                    all.add(pool.submit(() -> FilterChain.of(f).execute(Filters.get("/c"), new Filters.Echo())));
                }
                for (Future<Response> r : all) {
                    assertEquals(200, r.get().status());
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(200, shared(f, "requests"), "no lost update: compare-and-swap across " + f.vms() + " VMs");
            assertTrue(f.vms() > 1, "several VMs served");
            assertEquals(200L, f.metrics().get("c_requests"));
            assertEquals(42L, f.metrics().get("c_gauge"));
            assertEquals(200L, f.metrics().get("c_sizes"));
            assertEquals(400L, f.metrics().get("c_sizes.sum"));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void propertiesTimeLogLevelAndDeniedCalls(ExecutionMode mode) throws Exception {
        var clock = WasiClock.fixed(Instant.parse("2024-01-02T03:04:05Z"));
        var log = new RecordingLogger(System.Logger.Level.DEBUG);
        try (var f = Filters.filter("c_shared", mode).name("props").rootId("root-a").vmId("vm-a").clock(clock).logger(log).build()) {
            Response r = FilterChain.of(f).execute(Filters.get("/p/q?z=1").method("DELETE"), new Filters.Echo());
            assertEquals("props", r.headers().get("x-plugin-name"));
            assertEquals("root-a", r.headers().get("x-root-id"));
            assertEquals("vm-a", r.headers().get("x-vm-id"));
            assertEquals("/p/q?z=1", r.headers().get("x-prop-path"));
            assertEquals("DELETE", r.headers().get("x-prop-method"));
            assertEquals("10.1.2.3:4567", r.headers().get("x-prop-source"));
            assertEquals("1001", r.headers().get("x-prop-missing"), "NOT_FOUND");
            assertEquals(String.valueOf(Instant.parse("2024-01-02T03:04:05Z").getEpochSecond() * 1_000_000_000L), r.headers().get("x-time"));
            assertEquals("2", r.headers().get("x-http-call"), "outbound HTTP denied: BAD_ARGUMENT, as for an unknown upstream");
            assertEquals("4", r.headers().get("x-grpc-call"), "outbound gRPC denied: PARSE_FAILURE");
            assertEquals("1", r.headers().get("x-log-level"), "DEBUG");
            assertEquals("2", r.headers().get("x-bad-metric"), "a counter cannot go down");
            assertEquals(2, f.stats().deniedCalls());
            assertTrue(log.contains("[props] stream done"), log.records.toString());
            assertTrue(log.contains("proxy_http_call denied"), log.records.toString());
        }
    }

    @Test
    void ticksRunWithoutTrafficAndQueuesReachOnQueueReady() throws Exception {
        try (var f = Filters.filter("c_shared").build()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (shared(f, "ticks") < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(shared(f, "ticks") >= 3, "ticks at 20 ms");
            assertTrue(f.stats().ticks() >= 3);

            FilterChain.of(f).execute(Filters.get("/queued/item"), new Filters.Echo());
            while (f.sharedData().get("last_event") == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("/queued/item", new String(f.sharedData().get("last_event"), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aTickResumesAPausedRequest(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_shared", mode).build()) {
            var up = new Filters.Echo();
            Response r = FilterChain.of(f).execute(Filters.get("/postpone"), up);
            assertEquals(200, r.status());
            assertEquals("tick", up.last().headers().get("x-resumed"), "resumed from proxy_on_tick via the effective context");
        }
    }

    @ParameterizedTest
    @EnumSource(FailStrategy.class)
    void aRequestNothingResumesIsStalled(FailStrategy strategy) throws Exception {
        try (var f = Filters.filter("c_shared").pauseTimeout(Duration.ofMillis(100)).failStrategy(strategy).build()) {
            var up = new Filters.Echo();
            Response r = FilterChain.of(f).execute(Filters.get("/stall"), up);
            assertEquals(strategy == FailStrategy.FAIL_CLOSED ? 500 : 200, r.status());
            assertEquals(strategy == FailStrategy.FAIL_CLOSED ? 0 : 1, up.count());
            assertEquals(1L, f.stats().faults().get(FaultKind.STALLED));
        }
    }
}
